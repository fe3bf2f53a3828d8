/**
 * What live trading costs (issue 12), against the fake Binance of the tests on 127.0.0.1 (nothing leaves the
 * machine), through the real ccxt binance class.
 *
 * 1. From a decision to its order: LiveBroker.enter / exit on a real SQLite journal, market orders, timed from the
 *    call to the moment the fake exchange received the order (the ticker read first, the intent made durable),
 *    and to the call's end (the answer read and journaled). The fake answers at once, so a real exchange adds its
 *    network round trips. Decisions spaced apart (as candles space them) and back to back (many pairs deciding
 *    on the same candle close), where ccxt's rate limiter (Binance: 50 ms a unit, an order 4 units, the ticker 1)
 *    spaces the calls.
 * 2. The daemon, dry-run and live: `ft-edge run` by the bin's #! line holding 100 pairs x 1500 rows from the demo
 *    producer: time from spawn to every key held, CPU and RSS after 10 s steady. The difference is ccxt's class
 *    and its markets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExchangeClient } from '../src/exchange/index.js';
import { Journal, journalPath } from '../src/journal/index.js';
import { createLogger } from '../src/log.js';
import { startDemoProducer } from '../src/demo/index.js';
import type { Candle, SignalRow, TradingSettings } from '../src/strategy/broker.js';
import { LiveBroker } from '../src/strategy/live-broker.js';
import { parseRoi, type RoiTable } from '../src/strategy/trade-math.js';
import { startFakeBinance } from '../test/fakes/fake-binance.js';
import { ORDER_DEFAULTS } from '../test/helpers/trading-config.js';
import { shebangArgument } from './_bin-launch.js';
import { procCpuMs, procStatus, sleep, startDaemon } from './_daemon.js';

/** Entry+exit rounds with decisions spaced as candles space them (ccxt's throttle refilled), then back to back. */
const SPACED_ROUNDS = 40;
const SPACED_MS = 500;
const BURST_ROUNDS = 100;
const KEY = 'bench-api-key-0123456789abcdef';
const SECRET = 'bench-api-secret-0123456789abcdef';
const MB = 1024 * 1024;

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const ms = (x: number): string => `${x.toFixed(2)} ms`;
const line = (name: string, xs: number[]): string => `${name}: p50 ${ms(quantile(xs, 0.5))}, p99 ${ms(quantile(xs, 0.99))}, max ${ms(Math.max(...xs))}`;

async function decisionToOrder(rateLimit: boolean): Promise<void> {
  const fake = await startFakeBinance({ apiKey: KEY, secret: SECRET, balances: { USDT: 1_000_000 } });
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-bench-live-'));
  const journal = new Journal(journalPath(dir));
  await journal.start();
  const t0 = performance.now();
  const exchange = await ExchangeClient.open({
    exchange: 'binance', key: KEY, secret: SECRET, password: null, uid: null,
    ccxt_config: { urls: { api: fake.urls }, enableRateLimit: rateLimit }, markets_refresh_interval: 60,
  });
  const openMs = performance.now() - t0;
  const settings: TradingSettings = {
    strategy: 'Bench', dry_run_wallet: 0, stake_currency: 'USDT', stake_amount: 100, max_open_trades: 1,
    tradable_balance_ratio: 0.99, fee: 0.001, minimal_roi: parseRoi({ '0': 10 }) as RoiTable, stoploss: -0.1,
  };
  let now = Date.now();
  const broker = new LiveBroker(settings, journal, createLogger('error', () => {}), () => now).attach({
    exchange, onAuth: () => {}, marketsRefreshMin: 60,
    orders: { ...ORDER_DEFAULTS, order_types: { entry: 'market', exit: 'market', stoploss: 'market', stoploss_on_exchange: false } },
  });
  await broker.start();
  const none: SignalRow = { enterLong: false, exitLong: false, enterShort: false, exitShort: false, enterTag: null, exitTag: null };
  const candle = (i: number): Candle => {
    const date = Date.UTC(2026, 0, 1) + i * 300_000;
    return { producer: 'default', key: { pair: 'BTC/USDT', timeframe: '5m', candleType: 'spot' }, date, closeTime: date + 300_000, open: 60000, high: 60000, low: 60000, close: 60000 };
  };
  const time = async (sent: number[], done: number[], act: () => Promise<unknown>): Promise<void> => {
    const before = fake.requests.length;
    const start = performance.timeOrigin + performance.now();
    await act();
    const end = performance.timeOrigin + performance.now();
    const post = fake.requests.slice(before).find((r) => r.method === 'POST' && r.path === '/api/v3/order');
    if (post === undefined) throw new Error('no order reached the exchange');
    sent.push(post.at - start);
    done.push(end - start);
  };
  let i = 0;
  const rounds = async (n: number, gapMs: number): Promise<{ sent: number[]; done: number[] }> => {
    const sent: number[] = [];
    const done: number[] = [];
    for (const end = i + n; i < end; i++) {
      now += 300_000;
      await sleep(gapMs);
      await time(sent, done, () => broker.enter(candle(2 * i), { ...none, enterLong: true }, false));
      if (broker.openTrade('BTC/USDT') === undefined) throw new Error('the entry did not fill');
      now += 300_000;
      await sleep(gapMs);
      await time(sent, done, () => broker.exit(candle(2 * i + 1), { ...none, exitLong: true }));
      if (broker.openTrade('BTC/USDT') !== undefined) throw new Error('the exit did not fill');
    }
    return { sent, done };
  };
  const spaced = await rounds(SPACED_ROUNDS, SPACED_MS);
  const burst = await rounds(BURST_ROUNDS, 0);
  await broker.stop();
  await journal.stop();
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
  const orders = fake.orders.length;
  console.log(`decision to order, market entries and exits (${orders} orders on the exchange), WAL journal on this disk, ccxt's rate limiter ${rateLimit ? 'on (the default)' : 'off'}:`);
  console.log(`  ExchangeClient.open (ccxt's binance class loaded, markets read): ${ms(openMs)}`);
  for (const [name, r] of [[`${SPACED_ROUNDS * 2} decisions ${SPACED_MS} ms apart`, spaced], [`${BURST_ROUNDS * 2} decisions back to back`, burst]] as const) {
    console.log(`  ${name}: ${line('to the order received by the exchange', r.sent)}; ${line('to the answer journaled', r.done)}`);
  }
}

async function daemons(): Promise<void> {
  const pairs = Array.from({ length: 100 }, (_, i) => `P${String(i).padStart(3, '0')}/USDT`);
  const token = 'bench-live-trading-token';
  console.log(`ft-edge run (the bin's #! line), ${pairs.length} pairs x 1500 rows x 30 columns from the demo producer, 10 s steady; the unit's MemoryHigh is 160 MB:`);
  for (const live of [false, true]) {
    const tmp = mkdtempSync(join(tmpdir(), 'ft-edge-bench-live-daemon-'));
    const fake = await startFakeBinance({ apiKey: KEY, secret: SECRET, balances: { USDT: 1000 } });
    const producer = await startDemoProducer({ token, pairs, history: 1500, columns: 30, candleIntervalMs: 1000 });
    const config = {
      external_message_consumer: { enabled: true, producers: [{ name: 'default', host: '127.0.0.1', port: producer.port, ws_token: token }] },
      datadir: join(tmp, 'state'),
      ...(live ? { dry_run: false, exchange: { name: 'binance', key: KEY, secret: SECRET, ccxt_config: { urls: { api: fake.urls } } } } : {}),
    };
    const start = performance.now();
    const daemon = startDaemon(shebangArgument(), tmp, config);
    try {
      const answered = await daemon.waitFor((s) => s.trading.running, 'the control socket answering, trading');
      const answerMs = performance.now() - start;
      const mode = answered.trading.running ? answered.trading.mode : 'not running';
      if (mode !== (live ? 'live' : 'dry_run')) throw new Error(`trading mode ${mode}`);
      await daemon.waitFor((s) => s.producers[0]?.rows === pairs.length * 1500, 'every key held');
      const fullMs = performance.now() - start;
      const cpuFull = procCpuMs(daemon.child.pid!);
      await sleep(10_000);
      const m = procStatus(daemon.child.pid!);
      const cpuSteady = procCpuMs(daemon.child.pid!) - cpuFull;
      console.log(`  ${live ? 'live (fake Binance)' : 'dry-run'}: trading after ${answerMs.toFixed(0)} ms, every key held after ${fullMs.toFixed(0)} ms ` +
        `(CPU ${cpuFull} ms); steady CPU ${(cpuSteady / 10).toFixed(1)} ms/s; VmRSS ${(m.vmRss / MB).toFixed(1)} MB, RssAnon ${(m.rssAnon / MB).toFixed(1)} MB`);
    } finally {
      await daemon.stop();
      await producer.stop();
      await fake.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
  }
}

await decisionToOrder(true);
await decisionToOrder(false);
await daemons();
