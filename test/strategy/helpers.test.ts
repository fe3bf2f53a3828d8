import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from '../../src/strategy/helpers.js';

const f = (...xs: number[]) => Float64Array.from(xs);
const m = (...xs: number[]) => Array.from(xs);
const arr = (a: ArrayLike<number>) => Array.from(a);

test('shift moves values later, NaN where nothing moved in; negative periods move them earlier', () => {
  assert.deepEqual(arr(h.shift(f(1, 2, 3, 4))), [NaN, 1, 2, 3]);
  assert.deepEqual(arr(h.shift(f(1, 2, 3, 4), 2)), [NaN, NaN, 1, 2]);
  assert.deepEqual(arr(h.shift(f(1, 2, 3, 4), -1)), [2, 3, 4, NaN]);
  assert.deepEqual(arr(h.shift(f(1, 2), 5)), [NaN, NaN]);
  assert.deepEqual(arr(h.shift(f(1, 2, 3), 0)), [1, 2, 3]);
  assert.throws(() => h.shift(f(1), 1.5), /integer/);
});

test('comparisons take a series or a scalar on either side; NaN compares false', () => {
  const a = f(1, 2, NaN, 4);
  assert.deepEqual(arr(h.gt(a, 2)), m(0, 0, 0, 1));
  assert.deepEqual(arr(h.ge(a, 2)), m(0, 1, 0, 1));
  assert.deepEqual(arr(h.lt(a, 2)), m(1, 0, 0, 0));
  assert.deepEqual(arr(h.le(a, 2)), m(1, 1, 0, 0));
  assert.deepEqual(arr(h.eq(a, 2)), m(0, 1, 0, 0));
  assert.deepEqual(arr(h.gt(3, a)), m(1, 1, 0, 0));
  assert.deepEqual(arr(h.le(a, f(1, 1, 1, 5))), m(1, 0, 0, 1));
  assert.deepEqual(arr(h.eq(f(NaN), f(NaN))), m(0));
});

test('comparisons reject series of different lengths and two scalars', () => {
  assert.throws(() => h.gt(f(1, 2), f(1)), /lengths differ: 2 and 1/);
  assert.throws(() => h.gt(1, 2), /at least one operand must be a series/);
});

test('crossed_above: above now, at or below before (qtpylib), against a scalar', () => {
  // rsi:       25  29  31  31  28  30  35
  // > 30:       0   0   1   1   0   0   1
  // crossed:    0   0   1   0   0   0   1   (30 -> 35: 30 <= 30 before, 35 > 30 now)
  assert.deepEqual(arr(h.crossed_above(f(25, 29, 31, 31, 28, 30, 35), 30)), m(0, 0, 1, 0, 0, 0, 1));
});

test('crossed_below mirrors it', () => {
  assert.deepEqual(arr(h.crossed_below(f(75, 71, 69, 69, 72, 70, 65), 70)), m(0, 0, 1, 0, 0, 0, 1));
});

test('crossed_above between two series', () => {
  const fast = f(1, 2, 3, 2, 4);
  const slow = f(2, 2, 2, 3, 3);
  // fast>slow: 0 0 1 0 1 ; fast<=slow before: - 1 1 0 1  => 0 0 1 0 1
  assert.deepEqual(arr(h.crossed_above(fast, slow)), m(0, 0, 1, 0, 1));
  assert.deepEqual(arr(h.crossed_below(fast, slow)), m(0, 0, 0, 1, 0));
});

test('NaN never crosses: a warm-up NaN before or at the row blocks the crossing', () => {
  assert.deepEqual(arr(h.crossed_above(f(NaN, 35, 25, 35), 30)), m(0, 0, 0, 1));
  assert.deepEqual(arr(h.crossed_above(f(25, NaN, 35), 30)), m(0, 0, 0));
  assert.deepEqual(arr(h.crossed_above(f(25, 35), f(30, NaN))), m(0, 0));
  assert.deepEqual(arr(h.crossed_above(f(25, 35), NaN)), m(0, 0));
  assert.deepEqual(arr(h.crossed_above(f(), 1)), []);
});

test('rising and falling compare with the value `periods` rows before', () => {
  const a = f(1, 2, 2, 1, NaN, 3);
  assert.deepEqual(arr(h.rising(a)), m(0, 1, 0, 0, 0, 0));
  assert.deepEqual(arr(h.falling(a)), m(0, 0, 0, 1, 0, 0));
  assert.deepEqual(arr(h.rising(a, 2)), m(0, 0, 1, 0, 0, 1));
  assert.throws(() => h.rising(a, 0), /positive integer/);
});

test('and / or / not combine masks like pandas & | ~', () => {
  const a = Uint8Array.from([1, 1, 0, 0]);
  const b = Uint8Array.from([1, 0, 1, 0]);
  assert.deepEqual(arr(h.and(a, b)), m(1, 0, 0, 0));
  assert.deepEqual(arr(h.or(a, b)), m(1, 1, 1, 0));
  assert.deepEqual(arr(h.not(a)), m(0, 0, 1, 1));
  assert.deepEqual(arr(h.and(a, b, Uint8Array.from([0, 0, 0, 0]))), m(0, 0, 0, 0));
  assert.deepEqual(arr(h.and(a)), m(1, 1, 0, 0));
  assert.notEqual(h.and(a), a, 'and() returns a new mask, never its input');
  assert.throws(() => h.or(a, Uint8Array.from([1])), /lengths differ/);
  // ~(NaN > 1) is true in pandas, and here.
  assert.deepEqual(arr(h.not(h.gt(f(NaN), 1))), m(1));
});

test('isnull / notnull', () => {
  assert.deepEqual(arr(h.isnull(f(1, NaN))), m(0, 1));
  assert.deepEqual(arr(h.notnull(f(1, NaN))), m(1, 0));
});

test('out buffers are written in place and must have the right length', () => {
  const out = new Uint8Array(3);
  assert.equal(h.gt(f(1, 2, 3), 1, out), out);
  assert.deepEqual(arr(out), m(0, 1, 1));
  assert.equal(h.crossed_above(f(1, 2, 3), 1.5, out), out);
  assert.deepEqual(arr(out), m(0, 1, 0));
  const s = new Float64Array(3);
  assert.equal(h.shift(f(1, 2, 3), 1, s), s);
  assert.throws(() => h.gt(f(1, 2, 3), 1, new Uint8Array(2)), /out has length 2, expected 3/);
  const a = f(1, 2, 3);
  assert.throws(() => h.shift(a, 1, a), /cannot write into its input/);
});
