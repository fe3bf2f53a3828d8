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
  const ingest = (msg: Buffer): void => {
    const env = parseEnvelope(msg);
    if (env.kind !== 'analyzed_df') throw new Error(env.kind);
    assert.ok(decoder.decode(msg, env.frameStart, env.frameEnd, { hint: store.hint('default', env.key), removeSignals: false }).ok);
    store.ingest('default', env.key, env.la, decoder.frame);
  };
  return { dir, lines, log, store, ingest };
}

const fresh = { now: () => LAST_DATE + M5 + 30_000 };

test('trading starts from the config, trades the store\'s frames, and a restart resumes the open trade', async (t) => {
  const { dir, log, store, ingest, lines } = parts(t);
  const trading = new Trading(config(dir), store, () => true, log, fresh);
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
  assert.equal(trading.problem(), null);
  const sections = trading.sections(s.last_decision!.at + 125_000);
  assert.deepEqual(sections['strategy'], { name: 'RsiBollingerConsumer', from: 'built-in', state: 'running', 'disabled for': 'none' });
  const tr = sections['trading']!;
  assert.equal(tr['open trades'], '1 of 3');
  assert.equal(tr['realised profit'], '0 USDT');
  assert.equal(tr['available stake'], '660 USDT');
  assert.match(String(tr['last decision']), /^BTC\/USDT entered #1 long at 29999, stake 330 USDT \(2m ago\)$/);
  assert.equal(tr['entries wait'], 'none');
  await trading.stop();
  await trading.stop();
  assert.deepEqual(trading.status(), { running: false, strategy: 'RsiBollingerConsumer', problems: ['stopped'] });
  assert.equal(trading.openTrades(), null);
  assert.equal(trading.problem(), 'trading off: stopped');
  assert.deepEqual(trading.sections(), { strategy: { name: 'RsiBollingerConsumer', state: 'off: stopped' } });

  const again = new Trading(config(dir), new FrameStore({ capacity: 1500 }), () => true, log, fresh);
  await again.start();
  const st = again.status();
  assert.ok(st.running && st.open_trades === 1);
  assert.ok(lines.some((l) => l.includes('resumed 1 open trade(s): BTC/USDT')));
  await again.stop();
});

test('a strategy that cannot load leaves trading off with the reason; nothing throws', async (t) => {
  const { dir, log, store, lines } = parts(t);
  const trading = new Trading(config(dir, { strategy: '/nowhere/strategy.mjs' }), store, () => true, log);
  await trading.start();
  assert.deepEqual(trading.status(), { running: false, strategy: '/nowhere/strategy.mjs', problems: ['strategy module /nowhere/strategy.mjs not found'] });
  assert.ok(lines.some((l) => l.startsWith('<3>') && l.includes('trading is off until the problems above are fixed')));
});

test('trading settings problems and an unusable state directory are reported the same way', async (t) => {
  const { dir, log, store } = parts(t);
  const bad = new Trading(config(dir, { max_open_trades: -1 }), store, () => true, log);
  await bad.start();
  assert.deepEqual(bad.status(), {
    running: false, strategy: 'RsiBollingerConsumer', problems: ['stake_amount "unlimited" needs a max_open_trades limit to divide the wallet by'],
  });
  const file = join(dir, 'not-a-dir');
  writeFileSync(file, '');
  const noDir = new Trading(config(file), store, () => true, log);
  await noDir.start();
  const st = noDir.status();
  assert.ok(!st.running);
  assert.match(st.problems[0]!, /^journal .*not-a-dir\/ft-edge\.sqlite: /);
});

test('start-up warns when the config keeps the strategy from trading', async (t) => {
  const { dir, log, store, lines } = parts(t);
  const base = config(dir);
  const trading = new Trading(config(dir, {
    strategy: 'UpstreamSignals',
    external_message_consumer: { ...base.external_message_consumer, remove_entry_exit_signals: true },
    store: { capacity: 1500, columns: { default: ['rsi'] } },
  }), store, () => true, log);
  await trading.start();
  assert.ok(lines.some((l) => l.startsWith('<4>') && l.includes('strategy UpstreamSignals reads the producer\'s signals (enter_long), but external_message_consumer.remove_entry_exit_signals is true')));
  assert.ok(lines.some((l) => l.includes('strategy UpstreamSignals reads column "enter_long" of producer "default", but store.columns does not keep it')));
  await trading.stop();
});
