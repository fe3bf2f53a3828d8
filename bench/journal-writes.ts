/**
 * Bytes the journal writes to storage (/proc/self/io write_bytes, counted when page-cache pages are dirtied;
 * wchar = bytes handed to write()) in steady state, through the real DryRunBroker + Journal (WAL,
 * synchronous=FULL). The simulated bot: 100 pairs on 5m candles, an entry signal on 5 % of candles, open
 * trades leaving on an exit signal with 15 % chance per candle, max_open_trades 5: about 70 decisions per
 * hour (entries, exits, entry signals refused for want of a slot). Then quiet hours: candles, no signals.
 * Run it on the device's own storage (the temp directory) to measure an SD card.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/log.js';
import { Journal, journalPath } from '../src/journal/index.js';
import type { ClosedTrade, NewTrade, OpenTrade, SignalEvent, TradeClose } from '../src/journal/trade.js';
import { DryRunBroker } from '../src/strategy/dry-run-broker.js';
import type { Candle, SignalRow } from '../src/strategy/broker.js';

const PAIRS = Array.from({ length: 100 }, (_, i) => `P${i}/USDT`);
const M5 = 300_000;
const CANDLES_PER_HOUR = 12;
const WARMUP_HOURS = 5;
const HOURS = 40;
const QUIET_HOURS = 24;

/** Counts the decisions that reach the journal. */
class CountingJournal extends Journal {
  decisions = 0;
  override recordEntry(t: NewTrade, e: SignalEvent | null): Promise<OpenTrade> {
    this.decisions++;
    return super.recordEntry(t, e);
  }
  override recordExit(t: OpenTrade, c: TradeClose, e: SignalEvent | null): Promise<ClosedTrade> {
    this.decisions++;
    return super.recordExit(t, c, e);
  }
  override recordSignal(e: SignalEvent): Promise<void> {
    this.decisions++;
    return super.recordSignal(e);
  }
}

function io(): { write: number; wchar: number } {
  const text = readFileSync('/proc/self/io', 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)![1]);
  return { write: field('write_bytes'), wchar: field('wchar') };
}

/** mulberry32: the same simulated market on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dir = mkdtempSync(join(tmpdir(), 'ft-edge-bench-journal-'));
const journal = new CountingJournal(journalPath(dir));
await journal.start();
const broker = new DryRunBroker({
  strategy: 'Bench', dry_run_wallet: 1000, stake_currency: 'USDT', stake_amount: 'unlimited', max_open_trades: 5,
  tradable_balance_ratio: 0.99, fee: 0.001, minimal_roi: [], stoploss: -0.99,
}, journal, createLogger('error', () => {}));
await broker.start();

const random = prng(42);
const NONE: SignalRow = { enterLong: false, exitLong: false, enterShort: false, exitShort: false, enterTag: null, exitTag: null };
const ENTER: SignalRow = { ...NONE, enterLong: true, enterTag: 'bench_entry' };
const EXIT: SignalRow = { ...NONE, exitLong: true };
const T0 = Date.UTC(2024, 9, 1);
let candleNo = 0;

/** One 5-minute candle close for every pair. */
function candleClose(signals: boolean): void {
  const date = T0 + candleNo++ * M5;
  for (const pair of PAIRS) {
    const price = 100 + 10 * Math.sin(candleNo / 50 + pair.length);
    const c: Candle = {
      producer: 'default', key: { pair, timeframe: '5m', candleType: 'spot' }, date, closeTime: date + M5,
      open: price, high: price * 1.001, low: price * 0.999, close: price,
    };
    const open = broker.openTrade(pair) !== undefined;
    broker.exit(c, signals && open && random() < 0.15 ? EXIT : NONE);
    if (signals && !open && random() < 0.05) broker.enter(c, ENTER, false);
  }
}

for (let i = 0; i < WARMUP_HOURS * CANDLES_PER_HOUR; i++) candleClose(true);
const before = io();
const decisionsBefore = journal.decisions;
const t0 = performance.now();
for (let i = 0; i < HOURS * CANDLES_PER_HOUR; i++) candleClose(true);
const seconds = (performance.now() - t0) / 1000;
const after = io();
const decisions = journal.decisions - decisionsBefore;
for (let i = 0; i < QUIET_HOURS * CANDLES_PER_HOUR; i++) candleClose(false);
const quiet = io();
await journal.stop();
const dbBytes = statSync(journalPath(dir)).size;
rmSync(dir, { recursive: true, force: true });

const kb = (b: number): string => `${(b / 1024).toFixed(1)} KB`;
const perHour = (after.write - before.write) / HOURS;
console.log(`simulated ${HOURS} h after ${WARMUP_HOURS} h warm-up: ${decisions} decisions (${(decisions / HOURS).toFixed(1)} per hour), ` +
  `${(seconds * 1000 / decisions).toFixed(2)} ms per decision (fsync included)`);
console.log(`write_bytes per hour: ${kb(perHour)} (${kb((after.write - before.write) / decisions)} per decision); ` +
  `wchar per hour: ${kb((after.wchar - before.wchar) / HOURS)}`);
console.log(`write_bytes per day at that rate: ${(perHour * 24 / 1024 / 1024).toFixed(2)} MB`);
console.log(`${QUIET_HOURS} quiet hours (${QUIET_HOURS * CANDLES_PER_HOUR * PAIRS.length} candles, no signal): write_bytes ${quiet.write - after.write}, wchar ${quiet.wchar - after.wchar}`);
console.log(`journal file after ${WARMUP_HOURS + HOURS} h: ${kb(dbBytes)}`);
