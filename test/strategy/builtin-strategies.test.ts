import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Table } from 'apache-arrow';
import type { Signals } from '../../src/strategy/api.js';
import { FrameContext } from '../../src/strategy/frame-context.js';
import * as helpers from '../../src/strategy/helpers.js';
import { checkStrategy, type LoadedStrategy } from '../../src/strategy/strategy-loader.js';
import { BUILT_IN_STRATEGIES } from '../../src/strategy/builtin/index.js';
import type { PairKey } from '../../src/protocol/index.js';
import { TableSource, dates5m, frame } from './arrow-frames.js';

const KEY: PairKey = { pair: 'BTC/USDT', timeframe: '5m', candleType: 'spot' };

function load(name: string, params: Record<string, number> = {}): LoadedStrategy {
  const r = checkStrategy(BUILT_IN_STRATEGIES.get(name), 'built-in', { params });
  assert.ok(r.ok, r.ok ? '' : r.problems.join('; '));
  return r.strategy;
}

function run(s: LoadedStrategy, table: Table, lookback = s.lookback): Signals {
  const ctx = new FrameContext(new TableSource(), [s.producer], s.params);
  ctx.bind('default', KEY, table, lookback);
  return s.definition.populate(ctx, helpers);
}

const rows = (a: ArrayLike<number> | undefined) => (a === undefined ? [] : Array.from(a).flatMap((v, i) => (v === 1 ? [i] : [])));

// row:            0     1     2     3     4     5     6     7     8     9    10    11
const RSI =     [  25,   28,   31,   35,   29,   32,   29,   31,   65,   72, null,   75];
const TEMA =    [  10, 10.5,   11, 11.5, 11.4, 11.6, 11.5, 12.5,   13, 12.8, 12.7, 12.6];
const MID =     [  12,   12,   12,   12,   12,   12,   12,   12,   12,   12,   12,   12];
const VOLUME =  [ 100,  100,  100,  100,  100,    0,  100,  100,  100,  100,  100,  100];
// Entries: 2 (28 -> 31 across 30, tema 11 <= 12 and rising, volume). Not 5 (volume 0), not 7 (tema > mid).
// Exits:   9 (65 -> 72 across 70, tema 12.8 > 12 and falling). Not 11 (the row before is null: NaN never crosses).

test('RsiBollingerConsumer: the documentation example, on a frame with known crossings', () => {
  const s = load('RsiBollingerConsumer');
  assert.deepEqual(s.params, { buy_rsi: 30, sell_rsi: 70 });
  const t = frame(dates5m(12), { rsi: RSI, tema: TEMA, bb_middleband: MID, volume: VOLUME, close: TEMA }, 5);
  const sig = run(s, t, Infinity);
  assert.deepEqual(rows(sig.enter_long), [2]);
  assert.deepEqual(rows(sig.exit_long), [9]);
});

test('RsiBollingerConsumer: only the last two rows are needed to decide on the last candle', () => {
  const s = load('RsiBollingerConsumer');
  assert.equal(s.lookback, 2);
  for (let end = 2; end <= 12; end++) {
    const t = frame(dates5m(end), { rsi: RSI.slice(0, end), tema: TEMA.slice(0, end), bb_middleband: MID.slice(0, end), volume: VOLUME.slice(0, end) }, end - 1);
    const sig = run(s, t);
    assert.equal(sig.enter_long?.length, 2);
    assert.equal(sig.enter_long?.[1] === 1, end - 1 === 2, `enter on row ${end - 1}`);
    assert.equal(sig.exit_long?.[1] === 1, end - 1 === 9, `exit on row ${end - 1}`);
  }
});

test('RsiBollingerConsumer: buy_rsi and sell_rsi come from the config', () => {
  const s = load('RsiBollingerConsumer', { buy_rsi: 34, sell_rsi: 60 });
  const t = frame(dates5m(12), { rsi: RSI, tema: TEMA, bb_middleband: MID, volume: VOLUME });
  const sig = run(s, t, Infinity);
  assert.deepEqual(rows(sig.enter_long), [3], '31 -> 35 crosses 34 (tema 11.5 <= 12, rising)');
  assert.deepEqual(rows(sig.exit_long), [], '31 -> 65 crosses 60 but tema 13 is rising');
});

test('UpstreamSignals: the producer\'s int signals and tags on the last row', () => {
  const s = load('UpstreamSignals');
  const t = frame(dates5m(3), {
    close: [1, 2, 3],
    enter_long: { int8: [0, 0, 1] }, exit_long: { int8: [1, 0, 0] },
    enter_short: { int8: [0, 0, 0] }, exit_short: { int8: [0, 0, 1] },
    enter_tag: { dict: [null, null, 'breakout'] }, exit_tag: { dict: ['old', null, null] },
  }, 2);
  const sig = run(s, t);
  assert.deepEqual(Array.from(sig.enter_long!), [1]);
  assert.deepEqual(Array.from(sig.exit_long!), [0]);
  assert.deepEqual(Array.from(sig.exit_short!), [1]);
  assert.equal(sig.enter_tag, 'breakout');
  assert.equal(sig.exit_tag, null);
});

test("UpstreamSignals: .loc-style signals (1.0 / null) and '' tags; absent columns are no signal", () => {
  const s = load('UpstreamSignals');
  const t = frame(dates5m(2), { close: [1, 2], enter_long: [null, 1.0], enter_tag: { dict: ['', ''] } });
  const sig = run(s, t);
  assert.deepEqual(Array.from(sig.enter_long!), [1]);
  assert.equal(sig.exit_long, undefined);
  assert.equal(sig.enter_tag, '', "the runtime treats '' as no tag");
  const off = run(s, frame(dates5m(2), { close: [1, 2], enter_long: [1.0, null] }));
  assert.ok(Number.isNaN(off.enter_long![0]), 'null is not a signal');
});
