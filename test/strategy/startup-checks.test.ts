import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startupWarnings } from '../../src/strategy/startup-checks.js';
import { checkStrategy, type LoadedStrategy } from '../../src/strategy/strategy-loader.js';

function strategy(def: object): LoadedStrategy {
  const r = checkStrategy({ name: 'S', populate: () => ({}), ...def }, 'test', {});
  assert.ok(r.ok);
  return r.strategy;
}

test('a producer the config does not have, a projection dropping a read column, and removed signals are named', () => {
  const s = strategy({ producer: 'big', informative: ['small'], columns: ['rsi', 'close', 'macd_small', 'enter_long_small'] });
  assert.deepEqual(startupWarnings(s, { producers: ['big'], removeEntryExitSignals: true, projection: { small: ['rsi'] } }), [
    'strategy S reads producer "small", which is not configured (producers: big)',
    'strategy S reads column "macd" of producer "small", but store.columns does not keep it',
    'strategy S reads column "enter_long" of producer "small", but store.columns does not keep it',
    'strategy S reads the producer\'s signals (enter_long_small), but external_message_consumer.remove_entry_exit_signals is true: they arrive as 0 and it will never enter',
  ]);
});

test('a config that fits the strategy gives no warning; OHLCV survives any projection', () => {
  const s = strategy({ columns: ['rsi', 'close', 'volume', 'enter_long'] });
  assert.deepEqual(startupWarnings(s, { producers: ['default'], removeEntryExitSignals: false, projection: { default: ['rsi', 'enter_long'] } }), []);
});
