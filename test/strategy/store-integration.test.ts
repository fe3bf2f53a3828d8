/** The strategy side on the real ingest path: vectors -> parseEnvelope -> FrameDecoder -> FrameStore -> runtime. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/log.js';
import { FrameStore } from '../../src/store/index.js';
import type { PairKey } from '../../src/protocol/index.js';
import { parseEnvelope } from '../../src/wire/envelope.js';
import { FrameDecoder } from '../../src/wire/frame-decoder.js';
import { Journal, journalPath, readTrades } from '../../src/journal/index.js';
import type { ClosedTrade } from '../../src/journal/trade.js';
import { DryRunBroker } from '../../src/strategy/dry-run-broker.js';
import { FrameContext } from '../../src/strategy/frame-context.js';
import { StrategyRuntime } from '../../src/strategy/runtime.js';
import { loadStrategy } from '../../src/strategy/strategy-loader.js';
import { COLUMNS, LAST_DATE, M5, ROWS, fullFrameMessage, oneRowMessage } from './vector-messages.js';

const KEY = { pair: 'BTC/USDT', timeframe: '5m', candleType: 'spot' } as const;

/** Stored frames are told to `listeners`, as ingest tells the daemon's event stream. */
function ingestor(store: FrameStore, listeners: ((producer: string, key: PairKey) => void)[] = []) {
  const decoder = new FrameDecoder();
  return (msg: Buffer): string => {
    const env = parseEnvelope(msg);
    assert.equal(env.kind, 'analyzed_df');
    if (env.kind !== 'analyzed_df') return 'not analyzed_df';
    const r = decoder.decode(msg, env.frameStart, env.frameEnd, { hint: store.kinds('default', env.key), removeSignals: false });
    assert.ok(r.ok, r.ok ? '' : r.reason);
    const out = store.ingest('default', env.key, env.la, decoder.frame);
    if (out.action === 'replaced' || out.action === 'appended') for (const l of listeners) l('default', env.key);
    return out.action;
  };
}

const column = (name: string) => ROWS.map((r) => r[COLUMNS.indexOf(name)] as number | null);

test("the store's tables read as the producer's values: NaN for nulls, signals as numbers, across a wrapped ring", () => {
  const store = new FrameStore({ capacity: 1500 });
  const ingest = ingestor(store);
  assert.equal(ingest(fullFrameMessage('BTC/USDT')), 'replaced');
  const ctx = new FrameContext(store, ['default'], {});
  ctx.bind('default', KEY, store.producerDf('BTC/USDT', '5m', 'spot')!.table, Infinity);
  const rsi = Array.from(ctx.col('rsi'));
  assert.deepEqual(rsi, column('rsi').map((v) => v ?? NaN));
  assert.ok(Number.isNaN(rsi[0]!), 'warm-up rows are null');
  assert.deepEqual(Array.from(ctx.col('enter_long')), column('enter_long'));
  assert.deepEqual(Array.from(ctx.col('rsi_default')), rsi, "freqtrade's suffix for the own producer");
  ctx.unbind();
  // Three more candles: the ring wraps, the table is two batches, and the window spans both.
  for (let k = 1; k <= 3; k++) assert.equal(ingest(oneRowMessage('BTC/USDT', LAST_DATE + k * M5, { rsi: 40 + k })), 'appended');
  const table = store.producerDf('BTC/USDT', '5m', 'spot')!.table;
  assert.equal(table.batches.length, 2);
  ctx.bind('default', KEY, table, 5);
  const last = column('rsi').slice(-2);
  assert.deepEqual(Array.from(ctx.col('rsi')), [...last, 41, 42, 43]);
  assert.deepEqual(Array.from(ctx.dates()), [-1, 0, 1, 2, 3].map((k) => LAST_DATE + k * M5));
  ctx.unbind();
});

async function daemonParts(t: { after(fn: () => Promise<void>): void }, strategyName: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-integration-'));
  const journal = new Journal(journalPath(dir));
  await journal.start();
  const clock = { now: LAST_DATE + M5 + 30_000 };
  const log = createLogger('error', () => {});
  const loaded = await loadStrategy(strategyName);
  assert.ok(loaded.ok);
  const broker = new DryRunBroker({
    strategy: strategyName, dry_run_wallet: 1000, stake_currency: 'USDT', stake_amount: 100, max_open_trades: 3,
    tradable_balance_ratio: 0.99, fee: 0.001, minimal_roi: [], stoploss: -0.5,
  }, journal, log);
  await broker.start();
  const store = new FrameStore({ capacity: 1500 });
  const listeners: ((producer: string, key: PairKey) => void)[] = [];
  const updates = (l: (producer: string, key: PairKey) => void): (() => void) => (listeners.push(l), () => undefined);
  const runtime = new StrategyRuntime(loaded.strategy, store, updates, broker, log, () => true, { now: () => clock.now });
  await runtime.start();
  t.after(async () => {
    await runtime.stop();
    await journal.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const ingest = ingestor(store, listeners);
  /** Ingest a candle `k` candles after the vector's last one, as the producer's broadcast, and let the runtime act. */
  const candle = async (k: number, row: Record<string, number | string | null>): Promise<void> => {
    clock.now = LAST_DATE + (k + 1) * M5 + 30_000;
    assert.equal(ingest(oneRowMessage('BTC/USDT', LAST_DATE + k * M5, row)), 'appended');
    await runtime.idle();
  };
  ingest(fullFrameMessage('BTC/USDT'));
  await runtime.idle();
  return { dir, candle, runtime };
}

test('UpstreamSignals trades the producer\'s own signal and tag through the real store', async (t) => {
  const { dir, candle } = await daemonParts(t, 'UpstreamSignals');
  await candle(1, { close: 30100, enter_long: 1, enter_tag: 'go' });
  await candle(2, { close: 30200, exit_long: 1, exit_tag: 'done' });
  const [trade] = readTrades(journalPath(dir), 'all') as ClosedTrade[];
  assert.equal(trade?.openRate, 30100);
  assert.equal(trade?.enterTag, 'go');
  assert.equal(trade?.closeRate, 30200);
  assert.equal(trade?.exitReason, 'done');
});

test('RsiBollingerConsumer on the real frame: its last candle crosses rsi 30, then the mirrored exit and a new entry', async (t) => {
  const { dir, candle, runtime } = await daemonParts(t, 'RsiBollingerConsumer');
  // The vector's last candle: rsi 24.58 -> 30.03 across 30, tema 29883.61 -> 29883.68 (rising) under bb_middleband.
  assert.equal(runtime.status().open_trades, 1);
  await candle(1, { rsi: 65, tema: 250, bb_middleband: 200, volume: 5, close: 30100 });
  await candle(2, { rsi: 72, tema: 240, bb_middleband: 200, volume: 5, close: 30150 });
  assert.equal(runtime.status().open_trades, 0);
  await candle(3, { rsi: 28, tema: 100, bb_middleband: 200, volume: 5, close: 30000 });
  await candle(4, { rsi: 31, tema: 101, bb_middleband: 200, volume: 0, close: 30050 });
  assert.equal(runtime.status().open_trades, 0, 'no volume, no entry');
  await candle(5, { rsi: 28, tema: 100, bb_middleband: 200, volume: 5, close: 30000 });
  await candle(6, { rsi: 31, tema: 101, bb_middleband: 200, volume: 5, close: 30050 });
  const trades = readTrades(journalPath(dir), 'all');
  assert.equal(trades.length, 2);
  const first = trades[0] as ClosedTrade;
  assert.equal(first.openRate, 29999);
  assert.equal(first.openDate, LAST_DATE + M5, 'filled at the close of the crossing candle');
  assert.equal(first.closeRate, 30150);
  assert.equal(first.exitReason, 'exit_signal');
  assert.equal(trades[1]!.isOpen, true);
  assert.equal(trades[1]!.openRate, 30050);
});
