/**
 * kill -9 of the trading process between sending an order and receiving the answer, round after round: after
 * each restart exactly one order exists on the exchange for the entry, and the journal knows it (its exchange id,
 * its fill). The fake exchange lives in this process; the trader is a child process killed while the exchange
 * holds back its answer.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { faults, startFakeBinance, type FakeMarket } from '../fakes/fake-binance.js';
import { until } from '../helpers/until.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const ROUNDS = 10;
const KEY = 'crash-test-key-0123456789';
const SECRET = 'crash-test-secret-0123456789';

const CHILD = `
const { ExchangeClient } = await import(${JSON.stringify(join(SRC, 'exchange/index.js'))});
const { Journal } = await import(${JSON.stringify(join(SRC, 'journal/index.js'))});
const { LiveBroker } = await import(${JSON.stringify(join(SRC, 'strategy/live-broker.js'))});
const { createLogger } = await import(${JSON.stringify(join(SRC, 'log.js'))});
const [mode, pair, urls] = [process.env.MODE, process.env.PAIR, JSON.parse(process.env.URLS)];
const journal = new Journal(process.env.JOURNAL);
await journal.start();
const exchange = await ExchangeClient.open({ exchange: 'binance', key: ${JSON.stringify(KEY)}, secret: ${JSON.stringify(SECRET)},
  password: null, uid: null, ccxt_config: { urls: { api: urls }, timeout: 20000 }, markets_refresh_interval: 60 });
const broker = new LiveBroker({ strategy: 'Crash', dry_run_wallet: 0, stake_currency: 'USDT', stake_amount: 20, max_open_trades: 100,
  tradable_balance_ratio: 0.99, fee: 0.001, minimal_roi: [{ minutes: 0, ratio: 10 }], stoploss: -0.5 }, journal, createLogger('error', () => {}))
  .attach({ exchange, orders: { order_types: { entry: 'market', exit: 'market', stoploss: 'market', stoploss_on_exchange: false },
    entry_pricing: { price_side: 'same', price_last_balance: 0, use_order_book: false }, exit_pricing: { price_side: 'same', price_last_balance: 0, use_order_book: false },
    unfilledtimeout: { entry: 10, exit: 10, unit: 'minutes', exit_timeout_count: 0 } }, onAuth: () => {}, marketsRefreshMin: 60, notFoundSettlesMs: 1000 });
await broker.start();
if (mode === 'enter') {
  const c = { producer: 'default', key: { pair, timeframe: '5m', candleType: 'spot' }, date: 1, closeTime: 2, open: 1, high: 1, low: 1, close: 1 };
  await broker.enter(c, { enterLong: true, exitLong: false, enterShort: false, exitShort: false, enterTag: null, exitTag: null }, false);
  process.stdout.write('answered\\n');
} else {
  const t = broker.openTrade(pair);
  const orders = t === undefined ? [] : journal.ordersOf([t.id]);
  process.stdout.write(JSON.stringify({ amount: t?.amount ?? null, orders: orders.map((o) => [o.status, o.exchangeId, o.clientOrderId, o.filled]), unsettled: journal.unsettledOrders().length }) + '\\n');
}
await broker.stop();
await journal.stop();
process.exit(0);
`;

function run(script: string, env: Record<string, string>): { child: ChildProcess; out: () => string; done: Promise<number | null> } {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, out: () => out, done };
}

test(`kill -9 while an order is in flight, ${ROUNDS} rounds: after each restart one order exists and the journal knows it`, async (t) => {
  const markets: FakeMarket[] = Array.from({ length: ROUNDS }, (_, i) => ({
    symbol: `P${i}/USDT`, price: 100 + i, tickSize: '0.01', stepSize: '0.001', minQty: '0.001', maxQty: '100000', minNotional: '5',
  }));
  const fake = await startFakeBinance({ apiKey: KEY, secret: SECRET, markets, balances: { USDT: 10_000 } });
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-crash-'));
  t.after(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const script = join(dir, 'trader.mjs');
  writeFileSync(script, CHILD);
  const env = { JOURNAL: join(dir, 'ft-edge.sqlite'), URLS: JSON.stringify(fake.urls) };
  for (let i = 0; i < ROUNDS; i++) {
    const pair = `P${i}/USDT`;
    const symbol = `P${i}USDT`;
    fake.inject('POST /api/v3/order', faults.acceptedThenSlow(15_000)); // accepted, the answer held back
    const trader = run(script, { ...env, MODE: 'enter', PAIR: pair });
    await until(() => fake.orders.some((o) => o.symbol === symbol), `round ${i}: the exchange took the order`, 30_000);
    trader.child.kill('SIGKILL');
    await trader.done;
    assert.equal(trader.out(), '', 'killed before the answer came');
    const check = run(script, { ...env, MODE: 'check', PAIR: pair });
    assert.equal(await check.done, 0);
    const seen = JSON.parse(check.out()) as { amount: number | null; orders: [string, string | null, string, number][]; unsettled: number };
    const onExchange = fake.orders.filter((o) => o.symbol === symbol);
    assert.equal(onExchange.length, 1, `round ${i}: exactly one order on the exchange`);
    assert.deepEqual(seen.orders, [['closed', String(onExchange[0]!.orderId), onExchange[0]!.clientOrderId, onExchange[0]!.executedQty]], `round ${i}`);
    assert.equal(seen.unsettled, 0);
    assert.ok(seen.amount !== null && seen.amount > 0, `round ${i}: the trade holds the fill`);
  }
  assert.equal(fake.orders.length, ROUNDS, 'no order was ever sent twice');
});
