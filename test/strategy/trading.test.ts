import { ORDER_DEFAULTS } from '../helpers/trading-config.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/log.js';
import { FrameStore } from '../../src/store/index.js';
import { parseEnvelope } from '../../src/wire/envelope.js';
import { FrameDecoder } from '../../src/wire/frame-decoder.js';
import { Trading, type TradingDaemonConfig } from '../../src/strategy/trading.js';
import { ProblemBoard, createDaemonBus, type DaemonBus } from '../../src/events/index.js';
import type { RuntimeOptions } from '../../src/strategy/runtime.js';
import { LAST_DATE, M5, fullFrameMessage } from './vector-messages.js';

function config(datadir: string, over: Partial<TradingDaemonConfig> = {}): TradingDaemonConfig {
  return {
    strategy: 'RsiBollingerConsumer', strategy_params: {}, timeframe: null, datadir, dry_run: true, dry_run_wallet: 1000,
    stake_currency: 'USDT', stake_amount: 'unlimited', max_open_trades: 3, minimal_roi: null, stoploss: null,
    tradable_balance_ratio: 0.99, fee: 0.001,
    external_message_consumer: {
      enabled: true, producers: [{ name: 'default', host: '127.0.0.1', port: 8080, secure: false, ws_token: 'x' }],
      wait_timeout: 30, ping_timeout: 10, sleep_time: 10, remove_entry_exit_signals: false, initial_candle_limit: 1500,
      message_size_limit: 8,
    },
    store: { capacity: 1500, columns: {} },
    ...ORDER_DEFAULTS,
    ...over,
  };
}

function parts(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-trading-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lines: string[] = [];
  const log = createLogger('info', (l) => lines.push(l));
  const store = new FrameStore({ capacity: 1500 });
  const decoder = new FrameDecoder();
  const bus: DaemonBus = createDaemonBus((l) => lines.push(l));
  const problems = new ProblemBoard(bus);
  const ingest = (msg: Buffer): void => {
    const env = parseEnvelope(msg);
    if (env.kind !== 'analyzed_df') throw new Error(env.kind);
    assert.ok(decoder.decode(msg, env.frameStart, env.frameEnd, { hint: store.kinds('default', env.key), removeSignals: false }).ok);
    const out = store.ingest('default', env.key, env.la, decoder.frame);
    if (out.action === 'replaced' || out.action === 'appended') bus.emit('frame-stored', 'default', env.key, out.action);
  };
  const trading = (cfg: TradingDaemonConfig, runtime: RuntimeOptions = {}, frames: FrameStore = store): Trading =>
    new Trading({ config: cfg, frames, bus, problems, isProducerConnected: () => true, log, runtime });
  return { dir, lines, log, store, ingest, bus, problems, trading };
}

const fresh = { now: () => LAST_DATE + M5 + 30_000 };

test('trading starts from the config, trades the store\'s frames, and a restart resumes the open trade', async (t) => {
  const { dir, ingest, lines, problems, trading: make } = parts(t);
  const trading = make(config(dir), fresh);
  await trading.start();
  await trading.start();
  ingest(fullFrameMessage('BTC/USDT')); // its last candle crosses rsi 30: RsiBollingerConsumer enters
  await trading.idle();
  const s = trading.status();
  assert.ok(s.running);
  assert.equal(s.strategy, 'RsiBollingerConsumer');
  assert.equal(s.open_trades, 1);
  assert.equal(s.last_decision?.action, 'entered');
  assert.ok(lines.some((l) => l.includes('dry-run: wallet 1000 USDT, stake unlimited, max_open_trades 3, stoploss -0.1, minimal_roi {"0":0.04,"30":0.02,"60":0.01}, fee 0.001')));
  assert.equal(trading.openTrades(), 1);
  assert.deepEqual(problems.list(), []);
  assert.ok(s.running);
  assert.deepEqual(
    { origin: s.origin, disabled: s.disabled, disabled_keys: s.disabled_keys, max_open_trades: s.max_open_trades, realised_profit: s.realised_profit, available_stake: s.available_stake, waiting: s.waiting, entries_blocked: s.entries_blocked },
    { origin: 'built-in', disabled: null, disabled_keys: [], max_open_trades: 3, realised_profit: 0, available_stake: 660, waiting: [], entries_blocked: null },
  );
  assert.equal(s.last_decision?.detail, '#1 long at 29999, stake 330 USDT');
  await trading.stop();
  await trading.stop();
  assert.deepEqual(trading.status(), { running: false, strategy: 'RsiBollingerConsumer', problems: ['stopped'] });
  assert.equal(trading.openTrades(), null);

  const again = make(config(dir), fresh, new FrameStore({ capacity: 1500 }));
  await again.start();
  const st = again.status();
  assert.ok(st.running && st.open_trades === 1);
  assert.ok(lines.some((l) => l.includes('resumed 1 open trade(s): BTC/USDT')));
  await again.stop();
});

test('a strategy that cannot load leaves trading off with the reason; nothing throws', async (t) => {
  const { dir, lines, problems, trading: make } = parts(t);
  const trading = make(config(dir, { strategy: '/nowhere/strategy.mjs' }));
  await trading.start();
  assert.deepEqual(trading.status(), { running: false, strategy: '/nowhere/strategy.mjs', problems: ['strategy module /nowhere/strategy.mjs not found'] });
  assert.deepEqual(problems.list(), [{ code: 'trading-off', text: 'trading off: strategy module /nowhere/strategy.mjs not found' }]);
  assert.ok(lines.some((l) => l.startsWith('<3>') && l.includes('trading is off until the problems above are fixed')));
});

test('a value set neither by the config nor by the strategy, and an unusable state directory, leave trading off', async (t) => {
  const { dir, trading: make } = parts(t);
  const strategy = join(dir, 'no-stoploss.mjs');
  writeFileSync(strategy, "export default { name: 'NoStop', minimal_roi: { '0': 0.1 }, populate: () => ({}) };\n");
  const bad = make(config(dir, { strategy }));
  await bad.start();
  assert.deepEqual(bad.status(), { running: false, strategy, problems: ['stoploss is set neither in the config nor by strategy NoStop'] });
  const file = join(dir, 'not-a-dir');
  writeFileSync(file, '');
  const noDir = make(config(file));
  await noDir.start();
  const st = noDir.status();
  assert.ok(!st.running);
  assert.match(st.problems[0]!, /^journal .*not-a-dir\/ft-edge\.sqlite: /);
});

test('start-up warns when the config keeps the strategy from trading', async (t) => {
  const { dir, lines, trading: make } = parts(t);
  const base = config(dir);
  const trading = make(config(dir, {
    strategy: 'UpstreamSignals',
    external_message_consumer: { ...base.external_message_consumer, remove_entry_exit_signals: true },
    store: { capacity: 1500, columns: { default: ['rsi'] } },
  }));
  await trading.start();
  assert.ok(lines.some((l) => l.startsWith('<4>') && l.includes('strategy UpstreamSignals reads the producer\'s signals (enter_long), but external_message_consumer.remove_entry_exit_signals is true')));
  assert.ok(lines.some((l) => l.includes('strategy UpstreamSignals reads column "enter_long" of producer "default", but store.columns does not keep it')));
  await trading.stop();
});
