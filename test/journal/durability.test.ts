/**
 * A decision is durable before it counts, and a slow disk does not stop the event loop meanwhile: with every
 * fsync taking 300 ms (an LD_PRELOAD shim, in a child process), a recorded entry resolves no sooner than its WAL
 * sync, and timers keep firing while it waits.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildSlowFsyncShim } from '../fakes/slow-fsync.js';

const JOURNAL = fileURLToPath(new URL('../../src/journal/index.js', import.meta.url));

test('with a 300 ms fsync, an entry resolves after its sync and the event loop runs on meanwhile', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-durable-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const so = buildSlowFsyncShim(dir);
  const script = join(dir, 'child.mjs');
  writeFileSync(script, `
const { Journal } = await import(${JSON.stringify(JOURNAL)});
const j = new Journal(${JSON.stringify(join(dir, 'state', 'ft-edge.sqlite'))});
await j.start();
let ticks = 0;
const timer = setInterval(() => ticks++, 10);
const t0 = performance.now();
await j.recordEntry({ strategy: 'T', producer: 'default', pair: 'A/USDT', timeframe: '5m', candleType: 'spot', isShort: false,
  stakeCurrency: 'USDT', stakeAmount: 1, amount: 1, openRate: 1, openDate: 1, openCandle: 0, feeOpen: 0, feeClose: 0,
  stopLoss: 0.5, enterTag: null, openedAt: 1 }, null);
const ms = performance.now() - t0;
clearInterval(timer);
await j.stop();
process.stdout.write(JSON.stringify({ ms, ticks }));
`);
  const r = spawnSync(process.execPath, [script], { env: { ...process.env, LD_PRELOAD: so, FT_EDGE_FSYNC_DELAY_MS: '300' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { ms, ticks } = JSON.parse(r.stdout) as { ms: number; ticks: number };
  assert.ok(ms >= 290, `resolved after ${ms.toFixed(0)} ms: before the WAL was synced`);
  assert.ok(ticks >= 1, 'no timer fired while the commit was synced: the event loop was blocked');
});
