import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameContext, splitSuffix, suffixOrder } from '../../src/strategy/frame-context.js';
import type { PairKey } from '../../src/protocol/index.js';
import { MIN, TableSource, dates5m, frame } from './arrow-frames.js';

const KEY: PairKey = { pair: 'BTC/USDT', timeframe: '5m', candleType: 'spot' };
const arr = (a: ArrayLike<number>) => Array.from(a);

test('splitSuffix prefers the longest producer name and needs the underscore', () => {
  const order = suffixOrder(['prod', 'my_prod', 'default']);
  assert.deepEqual(splitSuffix('rsi_my_prod', order), { producer: 'my_prod', base: 'rsi' });
  assert.deepEqual(splitSuffix('rsi_prod', order), { producer: 'prod', base: 'rsi' });
  assert.equal(splitSuffix('rsiprod', order), null);
  assert.equal(splitSuffix('_prod', order), null);
  assert.equal(splitSuffix('rsi', order), null);
});

test('the window is the last `lookback` rows; columns, text and dates line up with it', () => {
  const dates = dates5m(5);
  const t = frame(dates, { rsi: [1, 2, 3, 4, 5], enter_tag: { dict: [null, 'a', null, 'b', 'c'] } }, 2);
  const ctx = new FrameContext(new TableSource(), ['default'], { x: 1 });
  ctx.bind('default', KEY, t, 3);
  assert.equal(ctx.rows, 3);
  assert.deepEqual(arr(ctx.col('rsi')), [3, 4, 5]);
  assert.deepEqual(arr(ctx.dates()), dates.slice(2));
  assert.equal(ctx.text('enter_tag', 0), null);
  assert.equal(ctx.text('enter_tag', 2), 'c');
  assert.equal(ctx.params.x, 1);
  assert.throws(() => ctx.text('enter_tag', 3), /outside 0..2/);
  assert.throws(() => ctx.col('enter_tag'), /holds text/);
  assert.throws(() => ctx.col('nope'), /no column "nope" in default's BTC\/USDT frame/);
  assert.equal(ctx.has('rsi'), true);
  assert.equal(ctx.has('nope'), false);
  assert.equal(ctx.has('date'), false, 'date is read with dates(), not col()');
  ctx.bind('default', KEY, t, Infinity);
  assert.equal(ctx.rows, 5);
  ctx.unbind();
  assert.throws(() => ctx.col('rsi'), /only valid while populate runs/);
});

test("suffixed names read another producer's frame of the same pair, matched on candle date", () => {
  const dates = dates5m(4);
  const source = new TableSource();
  // The other producer lacks the second candle and is one candle ahead.
  const otherDates = [dates[0]!, dates[2]!, dates[3]!, dates[3]! + 5 * MIN];
  source.put('other', KEY, frame(otherDates, { rsi: [10, 30, 40, 50], tag: { dict: ['x', 'y', null, 'z'] } }));
  const ctx = new FrameContext(source, ['default', 'other'], {});
  ctx.bind('default', KEY, frame(dates, { rsi: [1, 2, 3, 4], rsi_other_local: [0, 0, 0, 0] }), 4);
  assert.deepEqual(arr(ctx.col('rsi_other')), [10, NaN, 30, 40]);
  assert.deepEqual(arr(ctx.col('rsi_default')), [1, 2, 3, 4], 'own producer by suffix');
  assert.equal(ctx.text('tag_other', 0), 'x');
  assert.equal(ctx.text('tag_other', 1), null, 'no such candle there');
  assert.equal(ctx.has('rsi_other'), true);
  assert.equal(ctx.has('macd_other'), false);
  assert.throws(() => ctx.col('macd_other'), /no column "macd" in other's BTC\/USDT frame \(asked as "macd_other"\)/);
  assert.equal(ctx.has('rsi_third'), false, 'an undeclared producer is no suffix');
  // A window of 2 aligns only its own rows.
  ctx.bind('default', KEY, frame(dates, { rsi: [1, 2, 3, 4] }), 2);
  assert.deepEqual(arr(ctx.col('rsi_other')), [30, 40]);
});

test('an informative producer without a frame for the pair has no columns', () => {
  const ctx = new FrameContext(new TableSource(), ['default', 'other'], {});
  ctx.bind('default', KEY, frame(dates5m(2), { rsi: [1, 2] }), 2);
  assert.equal(ctx.has('rsi_other'), false);
  assert.throws(() => ctx.col('rsi_other'), /no column "rsi" in other's/);
});
