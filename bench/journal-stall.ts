/**
 * What a slow disk does to the daemon's event loop: the journal commits trades with fsync (synchronous=FULL), and
 * an SD card can take hundreds of ms per fsync. A child process runs the daemon's trading side (DryRunBroker over
 * the real journal) with every fsync/fdatasync delayed by an LD_PRELOAD shim (0 and 200 ms), makes 20 entries
 * and 20 exits, and measures meanwhile the event loop's worst delay (a 5 ms timer: what ingest, pings and the
 * watchdog would wait) and each decision's time to durable.
 * `node scripts/bench.mjs journal-stall` (needs cc to build the shim)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Journal, journalPath } from '../src/journal/index.js';
import { createLogger } from '../src/log.js';
import { DryRunBroker } from '../src/strategy/dry-run-broker.js';
import { parseRoi, type RoiTable } from '../src/strategy/trade-math.js';
import { buildSlowFsyncShim } from '../test/fakes/slow-fsync.js';


async function child(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-stall-'));
  const journal = new Journal(journalPath(dir));
  await journal.start();
  const broker = new DryRunBroker({
    strategy: 'Bench', dry_run_wallet: 1e9, stake_currency: 'USDT', stake_amount: 10, max_open_trades: 1000,
    tradable_balance_ratio: 0.99, fee: 0.001, minimal_roi: parseRoi({ '0': 0.01 }) as RoiTable, stoploss: -0.5,
  }, journal, createLogger('error', () => {}));
  await broker.start();
  let worst = 0;
  let due = performance.now() + 5;
  const probe = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - due);
    due = now + 5;
  }, 5);
  const durable: number[] = [];
  const T = Date.UTC(2024, 9, 24);
  const candle = (pair: string, i: number, close: number) => ({
    producer: 'default', key: { pair, timeframe: '5m', candleType: 'spot' as const }, date: T + i * 300_000,
    closeTime: T + (i + 1) * 300_000, open: close, high: close, low: close, close,
  });
  const signals = { enterLong: true, exitLong: false, enterShort: false, exitShort: false, enterTag: null, exitTag: null };
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 20)); // decisions come with candles, not in one burst
    const t0 = performance.now();
    await broker.enter(candle(`P${i}/USDT`, 0, 100), signals, false);
    durable.push(performance.now() - t0);
  }
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    await broker.exit(candle(`P${i}/USDT`, 1, 110), null);
    durable.push(performance.now() - t0);
  }
  clearInterval(probe);
  await journal.stop();
  rmSync(dir, { recursive: true, force: true });
  durable.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ worstLagMs: worst, durableP50: durable[20], durableMax: durable.at(-1) }));
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-shim-'));
  const so = buildSlowFsyncShim(dir);
  const self = fileURLToPath(import.meta.url);
  for (const delay of [0, 200]) {
    const r = spawnSync(process.execPath, [...process.execArgv, self, 'child'], {
      env: { ...process.env, LD_PRELOAD: so, FT_EDGE_FSYNC_DELAY_MS: String(delay) },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
    const m = JSON.parse(r.stdout) as { worstLagMs: number; durableP50: number; durableMax: number };
    console.log(`fsync delayed ${delay} ms: event loop stalled at most ${m.worstLagMs.toFixed(1)} ms while 40 decisions committed; ` +
      `decision -> durable p50 ${m.durableP50.toFixed(1)} ms, max ${m.durableMax.toFixed(1)} ms`);
  }
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[2] === 'child') await child();
else main();
