/**
 * What a user sees: the demo producer (a real WebSocket server on 127.0.0.1), the real consumer and store,
 * and trading with a built-in strategy: dry-run trades open and close, and a restart finds them again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/log.js';
import { startDemoProducer } from '../../src/demo/index.js';
import { journalPath, readTrades } from '../../src/journal/index.js';
import { daemonParts } from '../helpers/daemon-parts.js';
import { Trading, type TradingDaemonConfig } from '../../src/strategy/trading.js';
import { until } from '../helpers/until.js';
import { ORDER_DEFAULTS } from '../helpers/trading-config.js';

const TOKEN = 'demo-token';
const PAIRS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT'];


test('demo producer -> consumer -> store -> UpstreamSignals: trades open and close, and survive a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-demo-trading-'));
  const producer = await startDemoProducer({ token: TOKEN, pairs: PAIRS, candleIntervalMs: 0, seed: 7 });
  const log = createLogger('error', () => {});
  const emc: TradingDaemonConfig['external_message_consumer'] = {
    enabled: true, producers: [{ name: 'default', host: '127.0.0.1', port: producer.port, secure: false, ws_token: TOKEN }],
    wait_timeout: 30, ping_timeout: 10, sleep_time: 1, remove_entry_exit_signals: false, initial_candle_limit: 1500,
    message_size_limit: 8,
  };
  const cfg: TradingDaemonConfig = {
    strategy: 'UpstreamSignals', strategy_params: {}, timeframe: null, datadir: dir, dry_run: true, dry_run_wallet: 1000,
    stake_currency: 'USDT', stake_amount: 'unlimited', max_open_trades: 2, minimal_roi: { '0': 0.01 }, stoploss: -0.05,
    tradable_balance_ratio: 0.99, fee: 0.001, external_message_consumer: emc, store: { capacity: 1500, columns: {} }, ...ORDER_DEFAULTS,
  };
  const { store, ingest: consumer, bus, problems } = daemonParts({ consumer: emc, log });
  const make = (): Trading => new Trading({ config: cfg, frames: store, bus, problems, isProducerConnected: (p) => consumer.isConnected(p), log });
  const trading = make();
  t.after(async () => {
    await trading.stop();
    await consumer.stop();
    await producer.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await trading.start();
  await consumer.start();
  await until(() => [...store.keys()].length === PAIRS.length, 'all pairs held', 10_000);
  const lastDate = (): number => Math.min(...[...store.keys()].map((k) => k.lastDate));
  for (let i = 0; i < 400 && readTrades(journalPath(dir), 'closed').length < 3; i++) {
    const before = lastDate();
    producer.tick();
    await until(() => lastDate() > before, 'the new candle', 10_000);
    await trading.idle();
  }
  const closed = readTrades(journalPath(dir), 'closed');
  assert.ok(closed.length >= 3, `only ${closed.length} closed trades`);
  const status = trading.status();
  assert.ok(status.running);
  assert.equal(status.realised_profit, Number(closed.reduce((s, c) => s + (c.isOpen ? 0 : c.profitAbs), 0).toFixed(8)));
  const open = readTrades(journalPath(dir), 'open').map((x) => x.pair);
  await trading.stop();

  const again = make();
  await again.start();
  const resumed = again.status();
  assert.ok(resumed.running);
  assert.equal(resumed.open_trades, open.length);
  assert.equal(resumed.realised_profit, status.realised_profit);
  await again.stop();
});
