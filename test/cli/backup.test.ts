import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Journal, journalPath, readTrades } from '../../src/journal/index.js';
import type { NewTrade } from '../../src/journal/index.js';
import { cli } from './run-cli.js';

const newTrade = (pair: string): NewTrade => ({
  strategy: 'Test', producer: 'default', pair, timeframe: '5m', candleType: 'spot', isShort: false, stakeCurrency: 'USDT',
  stakeAmount: 100, amount: 1, openRate: 100, openDate: 1, openCandle: 0, feeOpen: 0.001, feeClose: 0.001, stopLoss: 90,
  enterTag: null, openedAt: 1,
});

test('backup copies the journal consistently while it is open for writing, and never over a file unasked', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-backup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const j = new Journal(journalPath(dir));
  await j.start();
  t.after(() => j.stop());
  for (const pair of ['A/USDT', 'B/USDT', 'C/USDT']) await j.recordEntry(newTrade(pair), null);
  const out = join(dir, 'copy.sqlite');
  const r = await cli(['backup', '--datadir', dir, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^backed up 3 trades \(\d+ bytes\) from .*ft-edge\.sqlite to .*copy\.sqlite\n$/);
  assert.deepEqual(readTrades(out, 'all').map((x) => x.pair), ['A/USDT', 'B/USDT', 'C/USDT']);
  await j.recordEntry(newTrade('D/USDT'), null);
  const again = await cli(['backup', '--datadir', dir, '--out', out]);
  assert.deepEqual([again.code, again.stderr], [1, `ft-edge: ${out} exists: give --force to replace it\n`]);
  assert.equal((await cli(['backup', '--datadir', dir, '--out', out, '--force'])).code, 0);
  assert.equal(readTrades(out, 'all').length, 4);
  const none = await cli(['backup', '--datadir', join(dir, 'nothing'), '--out', join(dir, 'x.sqlite')]);
  assert.match(none.stderr, /^ft-edge: no journal at .*nothing\/ft-edge\.sqlite/);
});
