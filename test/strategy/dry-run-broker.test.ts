import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createLogger } from '../../src/log.js';
import { Journal, journalPath, readTrades } from '../../src/journal/index.js';
import { DryRunBroker } from '../../src/strategy/dry-run-broker.js';
import type { Candle, SignalRow, TradingSettings } from '../../src/strategy/broker.js';
import { parseRoi, type RoiTable } from '../../src/strategy/trade-math.js';
import type { CandleType } from '../../src/protocol/index.js';

const MIN = 60_000;
const T = Date.UTC(2024, 9, 24, 9, 0);
const ROI = parseRoi({ '60': 0.01, '30': 0.02, '0': 0.04 }) as RoiTable;

const SETTINGS: TradingSettings = {
  strategy: 'Test', dry_run_wallet: 1000, stake_currency: 'USDT', stake_amount: 'unlimited', max_open_trades: 3,
  tradable_balance_ratio: 0.99, fee: 0.001, minimal_roi: ROI, stoploss: -0.1,
};

const NONE: SignalRow = { enterLong: false, exitLong: false, enterShort: false, exitShort: false, enterTag: null, exitTag: null };
const LONG: SignalRow = { ...NONE, enterLong: true, enterTag: 'cross' };

/** Candle `i` (5m) of a pair: open/high/low/close given, closes at date + 5m. */
function candle(pair: string, i: number, ohlc: [number, number, number, number], candleType: CandleType = 'spot'): Candle {
  const date = T + i * 5 * MIN;
  const [open, high, low, close] = ohlc;
  return { producer: 'default', key: { pair, timeframe: '5m', candleType }, date, closeTime: date + 5 * MIN, open, high, low, close };
}
const at = (pair: string, i: number, close: number, candleType: CandleType = 'spot') =>
  candle(pair, i, [close, close, close, close], candleType);

async function setup(t: { after(fn: () => Promise<void> | void): void }, settings: Partial<TradingSettings> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-broker-'));
  const journal = new Journal(journalPath(dir));
  await journal.start();
  const lines: string[] = [];
  const log = createLogger('debug', (l) => lines.push(l));
  const broker = new DryRunBroker({ ...SETTINGS, ...settings }, journal, log, () => 42);
  await broker.start();
  t.after(async () => {
    await journal.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, journal, broker, lines, log };
}

test('an entry fills at the signal candle close with an unlimited stake of (wallet x ratio) / max_open_trades', async (t) => {
  const { broker, lines } = await setup(t);
  const trade = await broker.enter(at('BTC/USDT', 0, 100), LONG, false);
  assert.ok(trade !== null);
  assert.equal(trade.openRate, 100);
  assert.equal(trade.stakeAmount, 330); // 1000 x 0.99 / 3
  assert.equal(trade.amount, 3.3);
  assert.equal(trade.openDate, T + 5 * MIN);
  assert.equal(trade.openCandle, T);
  assert.equal(trade.stopLoss, 90);
  assert.equal(trade.enterTag, 'cross');
  assert.match(lines.at(-1)!, /BTC\/USDT: entered #1 long at 100 \[cross\], stake 330 USDT/);
  // The second trade's stake: min((available 660 + tied up 330) / 3, 660) = 330.
  assert.equal((await broker.enter(at('ETH/USDT', 0, 200), LONG, false))!.stakeAmount, 330);
  assert.equal(broker.status().available_stake, 330);
});

test('ROI exits at the candle close once the ratio for the trade duration is exceeded', async (t) => {
  const { broker } = await setup(t);
  await broker.enter(at('BTC/USDT', 0, 100), LONG, false);
  // 5 minutes in: ROI 0.04, close 102 is +1.8 % after fees: stays open.
  assert.equal(await broker.exit(candle('BTC/USDT', 1, [100, 103, 99, 102]), NONE), null);
  // 10 minutes in: close 105 is +4.79 % after fees > 4 %.
  const closed = await broker.exit(candle('BTC/USDT', 2, [102, 106, 101, 105]), NONE);
  assert.ok(closed !== null);
  assert.equal(closed.exitReason, 'roi');
  assert.equal(closed.closeRate, 105);
  assert.equal(closed.closeDate, T + 15 * MIN);
  assert.equal(closed.profitAbs, 15.8235); // 3.3 x 105 x 0.999 - 330 x 1.001
  assert.equal(closed.profitRatio, 0.0479021);
  assert.equal(broker.status().realised_profit, 15.8235);
  assert.equal(broker.status().open_trades, 0);
});

test('ROI after 30 minutes needs only 2 %', async (t) => {
  const { broker } = await setup(t);
  await broker.enter(at('BTC/USDT', 0, 100), LONG, false);
  assert.equal(await broker.exit(at('BTC/USDT', 5, 103), NONE), null, '25 min: 2.8 % < 4 %');
  const closed = await broker.exit(at('BTC/USDT', 6, 103), NONE); // 30 min: 2.8 % > 2 %
  assert.equal(closed?.exitReason, 'roi');
});

test('the stoploss fills at the stop price, or at the open when the candle gapped through it', async (t) => {
  const { broker } = await setup(t);
  await broker.enter(at('ETH/USDT', 0, 200), LONG, false); // amount 1.65, stop 180
  const stopped = await broker.exit(candle('ETH/USDT', 1, [195, 196, 179, 185]), NONE);
  assert.equal(stopped?.exitReason, 'stop_loss');
  assert.equal(stopped?.closeRate, 180);
  assert.equal(stopped?.profitAbs, -33.627);
  assert.equal(stopped?.profitRatio, -0.1017982);
  await broker.enter(at('ETH/USDT', 2, 200), LONG, false);
  const gapped = await broker.exit(candle('ETH/USDT', 3, [170, 172, 160, 165]), NONE);
  assert.equal(gapped?.closeRate, 170);
});

test('stoploss comes before ROI and exit signal on the same candle', async (t) => {
  const { broker } = await setup(t);
  await broker.enter(at('BTC/USDT', 0, 100), LONG, false);
  const c = await broker.exit(candle('BTC/USDT', 1, [100, 120, 89, 110]), { ...NONE, exitLong: true });
  assert.equal(c?.exitReason, 'stop_loss');
});

test("an exit signal closes at the close, named by its exit tag; it is ignored while the entry signal is also set", async (t) => {
  const { broker, dir } = await setup(t, { minimal_roi: [] });
  await broker.enter(at('BTC/USDT', 0, 100), LONG, false);
  assert.equal(await broker.exit(at('BTC/USDT', 1, 101), { ...LONG, exitLong: true }), null);
  const c = await broker.exit(at('BTC/USDT', 2, 101), { ...NONE, exitLong: true, exitTag: 'rsi_high' });
  assert.equal(c?.exitReason, 'rsi_high');
  await broker.enter(at('BTC/USDT', 3, 100), LONG, false);
  assert.equal((await broker.exit(at('BTC/USDT', 4, 99), { ...NONE, exitLong: true }))?.exitReason, 'exit_signal');
  const db = new Database(journalPath(dir), { readonly: true });
  const events = db.prepare('SELECT signal, outcome, tag FROM signal_events ORDER BY id').all();
  db.close();
  assert.deepEqual(events, [
    { signal: 'enter_long', outcome: 'entered', tag: 'cross' },
    { signal: 'exit_long', outcome: 'exited', tag: 'rsi_high' },
    { signal: 'enter_long', outcome: 'entered', tag: 'cross' },
    { signal: 'exit_long', outcome: 'exited', tag: null },
  ]);
});

test('never twice for one candle: no exit on the entry candle, no re-entry on the exit candle, one trade per pair', async (t) => {
  const { broker } = await setup(t);
  const trade = await broker.enter(at('BTC/USDT', 0, 100), LONG, false);
  assert.ok(trade);
  assert.equal(await broker.enter(at('BTC/USDT', 0, 100), LONG, false), null, 'same candle re-sent');
  assert.equal(await broker.enter(at('BTC/USDT', 1, 100), LONG, false), null, 'pair already has a trade');
  assert.equal(await broker.exit(candle('BTC/USDT', 0, [100, 100, 50, 100]), NONE), null, 'the entry candle cannot exit it');
  assert.ok(await broker.exit(candle('BTC/USDT', 1, [100, 100, 50, 60]), NONE));
  assert.equal(await broker.enter(at('BTC/USDT', 1, 60), LONG, false), null, 'no re-entry on the exit candle');
  assert.ok(await broker.enter(at('BTC/USDT', 2, 60), LONG, false), 'the next candle may enter');
});

test('entry signals need no exit or opposite signal on the same candle; shorts only where allowed', async (t) => {
  const { broker } = await setup(t);
  assert.equal(await broker.enter(at('A/USDT', 0, 1), { ...LONG, exitLong: true }, false), null);
  assert.equal(await broker.enter(at('A/USDT', 0, 1), { ...LONG, enterShort: true }, true), null);
  const SHORT: SignalRow = { ...NONE, enterShort: true };
  assert.equal(await broker.enter(at('B/USDT:USDT', 0, 50, 'futures'), SHORT, false), null);
  const s = await broker.enter(at('B/USDT:USDT', 0, 50, 'futures'), SHORT, true);
  assert.equal(s?.isShort, true);
  assert.equal(s?.stopLoss, 55.00000000000001);
  // A short's exit is exit_short; exit_long does nothing to it.
  assert.equal(await broker.exit(at('B/USDT:USDT', 1, 49, 'futures'), { ...NONE, exitLong: true }), null);
  const c = await broker.exit(at('B/USDT:USDT', 2, 45, 'futures'), { ...NONE, exitShort: true });
  assert.equal(c?.exitReason, 'roi', 'a 10 % drop already meets the ROI table');
  assert.ok(c!.profitAbs > 0);
});

test('max_open_trades and balance refusals are journaled once per candle', async (t) => {
  const { broker, dir } = await setup(t, { max_open_trades: 1 });
  await broker.enter(at('A/USDT', 0, 1), LONG, false);
  for (let i = 0; i < 3; i++) assert.equal(await broker.enter(at('B/USDT', 0, 1), LONG, false), null);
  await broker.enter(at('B/USDT', 1, 1), LONG, false);
  assert.deepEqual(broker.status().last_decision, {
    at: 42, pair: 'B/USDT', action: 'refused', detail: 'enter_long: max_open_trades (1) reached',
  });
  const db = new Database(journalPath(dir), { readonly: true });
  const refused = db.prepare("SELECT pair, candle, detail FROM signal_events WHERE outcome = 'refused'").all();
  db.close();
  assert.deepEqual(refused, [
    { pair: 'B/USDT', candle: T, detail: 'max_open_trades (1) reached' },
    { pair: 'B/USDT', candle: T + 5 * MIN, detail: 'max_open_trades (1) reached' },
  ]);
});

test('a fixed stake above the available balance is refused', async (t) => {
  const { broker } = await setup(t, { stake_amount: 500 });
  assert.equal((await broker.enter(at('A/USDT', 0, 1), LONG, false))?.stakeAmount, 500);
  assert.equal(await broker.enter(at('B/USDT', 0, 1), LONG, false), null);
  assert.equal(broker.status().last_decision?.detail, 'enter_long: available 490 USDT is lower than stake_amount 500');
});

test('a restart resumes open trades, realised profit and the exit-candle lock from the journal', async (t) => {
  const { broker, journal, log, dir } = await setup(t);
  await broker.enter(at('A/USDT', 0, 100), LONG, false);
  await broker.enter(at('B/USDT', 0, 100), LONG, false);
  await broker.exit(candle('B/USDT', 1, [100, 100, 80, 85]), NONE);
  const realised = broker.status().realised_profit;
  await journal.stop();
  await journal.start();
  const again = new DryRunBroker(SETTINGS, journal, log);
  await again.start();
  assert.equal(again.status().open_trades, 1);
  assert.equal(again.openTrade('A/USDT')?.openRate, 100);
  assert.equal(again.status().realised_profit, realised);
  assert.equal(await again.enter(at('B/USDT', 1, 85), LONG, false), null, 'still locked on its exit candle');
  assert.equal((await again.exit(candle('A/USDT', 1, [100, 100, 89, 95]), NONE))?.exitReason, 'stop_loss');
  assert.equal(readTrades(journalPath(dir), 'open').length, 0);
});

test('a journal that cannot be written (full): said at once, no entries, the exit retried until it is recorded', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-broker-full-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const journal = new Journal(journalPath(dir));
  await journal.start();
  t.after(() => journal.stop());
  const told: (string | null)[] = [];
  const broker = new DryRunBroker(SETTINGS, journal, createLogger('error', () => {}), () => 42, () => {}, (p) => told.push(p));
  await broker.start();
  await broker.enter(at('BTC/USDT', 0, 100), LONG, false);
  // The database may not grow by a page: a real SQLITE_FULL, as on a full SD card.
  const db = journal['db']!;
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  // ...and the room left in its pages is used up first: rows of every table an exit writes, until none fits.
  const fill = db.prepare("INSERT INTO orders (trade_id, pair, ft_order_side, is_entry, order_type, status, price, amount, filled, cost, fee_cost, order_date) VALUES (1, 'BTC/USDT', ?, 0, 'market', 'closed', 1, 1, 1, 1, 0, 0)");
  assert.throws(() => {
    for (let i = 0; i < 1_000_000; i++) fill.run('sell');
  }, { code: 'SQLITE_FULL' });
  assert.equal(await broker.exit(at('BTC/USDT', 2, 105), NONE), null, 'ROI reached, but the exit cannot be journaled');
  assert.equal(told.length, 1);
  assert.match(told[0]!, /^the journal cannot be written \(database or disk is full\): no entries until it can; exits are retried$/);
  assert.equal(broker.journalProblem, told[0]);
  assert.equal(broker.openTrade('BTC/USDT')?.isOpen, true, 'the trade stays open');
  assert.equal(await broker.enter(at('ETH/USDT', 2, 200), LONG, false), null, 'no entry the journal cannot hold');
  assert.equal(await broker.exit(at('BTC/USDT', 3, 105), NONE), null, 'still full: tried again, not recorded');
  assert.equal(told.length, 1, 'said once');
  db.pragma('max_page_count = 1073741823');
  const closed = await broker.exit(at('BTC/USDT', 4, 105), NONE);
  assert.equal(closed?.exitReason, 'roi', 'the retried exit is recorded once there is room');
  assert.deepEqual(told, [told[0], null]);
  assert.ok(await broker.enter(at('ETH/USDT', 4, 200), LONG, false) !== null, 'entries resume');
  assert.equal(readTrades(journalPath(dir), 'closed').length, 1);
});
