/**
 * Live trading against a fake Binance on 127.0.0.1, through the real ccxt binance class: the journal always knows
 * which orders exist, through fills, partial fills, timeouts, rate limits, refusals and cancels by hand; no order
 * is ever sent twice.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ExchangeClient } from '../../src/exchange/index.js';
import { Journal, journalPath, readTrades } from '../../src/journal/index.js';
import { createLogger } from '../../src/log.js';
import type { Candle, SignalRow, TradingSettings } from '../../src/strategy/broker.js';
import { LiveBroker } from '../../src/strategy/live-broker.js';
import { parseRoi, type RoiTable } from '../../src/strategy/trade-math.js';
import { faults, startFakeBinance, type FakeBinance } from '../fakes/fake-binance.js';
import { ORDER_DEFAULTS } from '../helpers/trading-config.js';

const KEY = 'test-api-key-0123456789abcdef';
const SECRET = 'test-api-secret-0123456789abcdef';

const SETTINGS: TradingSettings = {
  strategy: 'Test', dry_run_wallet: 0, stake_currency: 'USDT', stake_amount: 100, max_open_trades: 3,
  tradable_balance_ratio: 0.99, fee: 0.001, minimal_roi: parseRoi({ '0': 10 }) as RoiTable, stoploss: -0.1,
};
const NONE: SignalRow = { enterLong: false, exitLong: false, enterShort: false, exitShort: false, enterTag: null, exitTag: null };
const ENTER: SignalRow = { ...NONE, enterLong: true, enterTag: 'go' };
const EXIT: SignalRow = { ...NONE, exitLong: true };
const T = Date.UTC(2026, 11, 3, 12, 0);

function candle(pair: string, i: number, close: number): Candle {
  const date = T + i * 300_000;
  return { producer: 'default', key: { pair, timeframe: '5m', candleType: 'spot' }, date, closeTime: date + 300_000, open: close, high: close, low: close, close };
}

interface Setup {
  fake: FakeBinance;
  broker: LiveBroker;
  journal: Journal;
  dir: string;
  lines: string[];
  auth: (string | null)[];
  clock: { now: number };
  restart(): Promise<LiveBroker>;
}

async function live(t: TestContext, over: { orders?: Partial<typeof ORDER_DEFAULTS>; secret?: string; settings?: Partial<TradingSettings>; balances?: Record<string, number> } = {}): Promise<Setup> {
  const fake = await startFakeBinance({ apiKey: KEY, secret: SECRET, balances: over.balances ?? { USDT: 1000 } });
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-live-'));
  const lines: string[] = [];
  const auth: (string | null)[] = [];
  const clock = { now: Date.now() };
  const log = createLogger('debug', (l) => lines.push(l));
  let journal = new Journal(journalPath(dir));
  let broker: LiveBroker;
  const make = async (): Promise<LiveBroker> => {
    await journal.start();
    const exchange = await ExchangeClient.open({
      exchange: 'binance', key: KEY, secret: over.secret ?? SECRET, password: null, uid: null,
      ccxt_config: { urls: { api: fake.urls }, timeout: 1500 }, markets_refresh_interval: 60,
    });
    const b = new LiveBroker({ ...SETTINGS, ...over.settings }, journal, log, () => clock.now).attach({
      exchange, orders: { ...ORDER_DEFAULTS, ...over.orders }, onAuth: (p) => auth.push(p), marketsRefreshMin: 60,
    });
    await b.start();
    return b;
  };
  broker = await make();
  const s: Setup = {
    fake, broker, journal, dir, lines, auth, clock,
    async restart() {
      await s.broker.stop();
      await journal.stop();
      journal = new Journal(journalPath(dir));
      s.journal = journal;
      s.broker = broker = await make();
      return broker;
    },
  };
  t.after(async () => {
    await s.broker.stop();
    await s.journal.stop();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return s;
}

const MARKET = { order_types: { entry: 'market', exit: 'market', stoploss: 'market', stoploss_on_exchange: false } } as const;

test('a market entry and exit: real fills and fees, the profit as the exchange booked it, two orders exactly', async (t) => {
  const s = await live(t, { orders: MARKET });
  const opened = await s.broker.enter(candle('BTC/USDT', 0, 60000), ENTER, false);
  assert.ok(opened !== null);
  const trade = s.broker.openTrade('BTC/USDT')!;
  // stake 100 at 60000: 0.0016666 truncated to the step 0.00001 -> 0.00166 BTC for 99.6 USDT; the 0.1 % fee is
  // taken in BTC (0.00000166), so the trade holds 0.00165834.
  assert.equal(trade.amount, 0.00165834);
  assert.equal(trade.stakeAmount, 99.6);
  assert.equal(trade.openRate, 60000);
  s.fake.setPrice('BTC/USDT', 66000);
  await s.broker.exit(candle('BTC/USDT', 1, 66000), EXIT);
  assert.equal(s.broker.openTrade('BTC/USDT'), undefined, 'closed: the market exit filled');
  const [closed] = readTrades(journalPath(s.dir), 'closed');
  // Sells what it holds, truncated to the step: 0.00165 BTC for 108.9 USDT, less 0.1089 fee = 108.7911 in.
  assert.equal(closed?.isOpen === false && closed.profitAbs, 9.1911);
  assert.equal(closed?.isOpen === false && closed.closeRate, 66000);
  assert.equal(closed?.isOpen === false && closed.exitReason, 'exit_signal');
  assert.equal(s.fake.orders.length, 2);
  const orders = s.journal.ordersOf([trade.id]);
  assert.deepEqual(orders.map((o) => [o.side, o.status, o.filled, o.clientOrderId === s.fake.orders[orders.indexOf(o)]!.clientOrderId]), [
    ['buy', 'closed', 0.00166, true], ['sell', 'closed', 0.00165, true],
  ]);
  assert.match(orders[0]!.clientOrderId!, /^fte-[0-9a-f]{8}-1e1$/);
});

test('a createOrder that times out after the exchange took it: looked up by its client id, never sent twice', async (t) => {
  const s = await live(t, { orders: MARKET });
  s.fake.inject('POST /api/v3/order', faults.acceptedThenSlow(3000));
  await s.broker.enter(candle('BTC/USDT', 0, 60000), ENTER, false);
  assert.equal(s.journal.unsettledOrders()[0]?.status, 'unknown', 'no clear answer: unknown, not resent');
  assert.ok(s.lines.some((l) => l.includes('sent without a clear answer')));
  await s.broker.reconcile();
  assert.equal(s.fake.orders.length, 1, 'exactly one order exists');
  assert.equal(s.journal.unsettledOrders().length, 0);
  assert.equal(s.broker.openTrade('BTC/USDT')?.amount, 0.00165834, 'and the journal knows it filled');
  assert.equal(s.fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order').length, 1);
});

test('a poll while an exit order waits for its answer leaves the fill to the answer: one close, and the pair trades again', async (t) => {
  const s = await live(t, { orders: MARKET });
  await s.broker.enter(candle('BTC/USDT', 0, 60000), ENTER, false);
  s.fake.inject('POST /api/v3/order', faults.acceptedThenSlow(800)); // filled on the exchange, the answer held back
  const exiting = s.broker.exit(candle('BTC/USDT', 1, 60000), EXIT);
  while (s.fake.orders.length < 2) await new Promise((r) => setImmediate(r));
  await s.broker.reconcile(); // finds the exit filled by its client id, while the send still waits
  await exiting;
  assert.equal(readTrades(journalPath(s.dir), 'closed').length, 1);
  assert.equal(s.journal.ordersOf([1]).length, 2);
  await s.broker.enter(candle('BTC/USDT', 2, 60000), ENTER, false);
  assert.ok(s.broker.openTrade('BTC/USDT') !== undefined, 'the next candle may enter the pair again');
});

test('a stoploss seen by the poll and an exit signal on the same trade at once: one sell order', async (t) => {
  const s = await live(t, { orders: MARKET });
  await s.broker.enter(candle('BTC/USDT', 0, 60000), ENTER, false);
  s.fake.setPrice('BTC/USDT', 50000); // below the stop at -10 %
  const before = s.fake.requests.length;
  const polling = s.broker.reconcile();
  // The poll is fetching the price for the stoploss when the candle's exit signal comes.
  while (!s.fake.requests.slice(before).some((r) => r.path === '/api/v3/ticker/24hr')) await new Promise((r) => setImmediate(r));
  await Promise.all([polling, s.broker.exit(candle('BTC/USDT', 1, 50000), EXIT)]);
  await s.broker.reconcile();
  assert.equal(s.fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order' && r.params['side'] === 'SELL').length, 1);
  assert.equal(readTrades(journalPath(s.dir), 'closed').length, 1);
});

test('429 and 5xx on createOrder: unknown until the exchange says it never had the order, then no trade', async (t) => {
  for (const fault of [faults.rateLimited(), faults.internalError()]) {
    const s = await live(t, { orders: MARKET });
    s.fake.inject('POST /api/v3/order', fault);
    await s.broker.enter(candle('BTC/USDT', 0, 60000), ENTER, false);
    await s.broker.reconcile();
    assert.equal(s.journal.unsettledOrders()[0]?.status, 'unknown', 'not found yet, but too soon to conclude');
    s.clock.now += 31_000;
    await s.broker.reconcile();
    assert.equal(s.journal.unsettledOrders().length, 0);
    assert.equal(s.broker.openTrade('BTC/USDT'), undefined, 'never placed: no trade');
    assert.equal(s.fake.orders.length, 0);
    assert.equal(readTrades(journalPath(s.dir), 'all').length, 0);
  }
});

test('insufficient funds, a notional filter and a stake below the minimum: one line each, no trade, no order', async (t) => {
  const s = await live(t, { orders: MARKET });
  s.fake.inject('POST /api/v3/order', faults.insufficientFunds());
  await s.broker.enter(candle('BTC/USDT', 0, 60000), ENTER, false);
  s.fake.inject('POST /api/v3/order', faults.notional());
  await s.broker.enter(candle('ETH/USDT', 0, 3000), ENTER, false);
  assert.equal(s.broker.openTrades().next().done, true);
  assert.ok(s.lines.some((l) => /order fte-\S+ refused: .*insufficient funds/.test(l)));
  assert.ok(s.lines.some((l) => /order fte-\S+ refused: .*NOTIONAL/.test(l)), s.lines.join("\n"));
  const small = await live(t, { orders: MARKET, settings: { stake_amount: 3 } });
  await small.broker.enter(candle('BTC/USDT', 0, 60000), ENTER, false);
  assert.ok(small.lines.some((l) => /refused enter_long: stake 3 USDT is below BTC\/USDT's minimum of 5\.83/.test(l)), small.lines.join('\n'));
  assert.equal(small.fake.orders.length, 0);
});

test('a limit entry partly filled and timed out is cancelled, the trade holds what filled; one cancelled by hand leaves no trade', async (t) => {
  const s = await live(t, { orders: { unfilledtimeout: { entry: 10, exit: 10, unit: 'minutes', exit_timeout_count: 0 } } });
  s.fake.setSpread('BTC/USDT', 10);
  s.fake.setSpread('ETH/USDT', 1);
  await s.broker.enter(candle('BTC/USDT', 0, 60000), ENTER, false); // limit at the bid (59990): rests on the book
  const order = s.fake.orders[0]!;
  assert.equal(order.status, 'NEW');
  s.fake.fillPartially(order.orderId, 0.001);
  await s.broker.reconcile();
  assert.equal(s.broker.openTrade('BTC/USDT')?.amount, 0.000999, 'holds the fill so far (less the fee in BTC)');
  s.clock.now += 11 * 60_000;
  await s.broker.reconcile();
  assert.equal(s.fake.orders[0]!.status, 'CANCELED');
  assert.equal(s.journal.unsettledOrders().length, 0);
  assert.equal(s.broker.openTrade('BTC/USDT')?.amount, 0.000999, 'the partial fill stays a trade');
  await s.broker.enter(candle('ETH/USDT', 0, 3000), ENTER, false);
  s.fake.cancelOnExchange(s.fake.orders[1]!.orderId);
  await s.broker.reconcile();
  assert.equal(s.broker.openTrade('ETH/USDT'), undefined, 'cancelled on the exchange by hand, nothing filled: no trade');
});

test('an open order across a restart is reconciled before any new decision', async (t) => {
  const s = await live(t);
  s.fake.setSpread('BTC/USDT', 10);
  await s.broker.enter(candle('BTC/USDT', 0, 60000), ENTER, false); // limit at the bid, rests
  const id = s.fake.orders[0]!.orderId;
  await s.broker.stop();
  s.fake.fillPartially(id, 0.00166); // filled while ft-edge was down
  const again = await s.restart();
  assert.equal(again.openTrade('BTC/USDT')?.amount, 0.00165834, 'the fill was picked up at start');
  assert.equal(s.journal.unsettledOrders().length, 0);
  assert.equal(s.fake.orders.length, 1);
});

test('a refused API key stops live trading and says so; the daemon goes on', async (t) => {
  const s = await live(t, { secret: 'not-the-secret-of-this-account' });
  assert.equal(s.auth.at(-1)?.startsWith('the exchange refuses the API key'), true);
  await s.broker.enter(candle('BTC/USDT', 0, 60000), ENTER, false);
  assert.equal(s.fake.orders.length, 0);
  assert.ok(s.lines.some((l) => l.includes('live trading stopped (entries and exits) until the key is fixed')));
  assert.ok(s.lines.every((l) => !l.includes(KEY) && !l.includes('not-the-secret')), 'no secret in a log line');
});
