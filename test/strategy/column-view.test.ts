import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Table } from 'apache-arrow';
import { Scratch, columnIndex, isNumericColumn, numberAt, numericRows, textAt } from '../../src/strategy/column-view.js';
import { dates5m, frame } from './arrow-frames.js';

const arr = (a: ArrayLike<number>) => Array.from(a);
const rowsOf = (t: Table, name: string, start: number, n: number, scratch = new Scratch()) =>
  numericRows(t, columnIndex(t, name), start, n, scratch);

test('rows of a Float64 column in one batch are a view of the Arrow buffer, not a copy', () => {
  const t = frame(dates5m(5), { close: [1, 2, 3, 4, 5] }, 2);
  const chunks = t.getChild('close')!.data;
  const view = rowsOf(t, 'close', 3, 2);
  assert.deepEqual(arr(view), [4, 5]);
  assert.equal(view.buffer, (chunks[1]!.values as Float64Array).buffer, 'shares the second batch buffer');
  assert.equal(rowsOf(t, 'close', 0, 2).buffer, (chunks[0]!.values as Float64Array).buffer);
});

test('rows spanning both batches of a wrapped ring are copied into the scratch buffer, which is reused', () => {
  const t = frame(dates5m(5), { close: [1, 2, null, 4, 5] }, 3);
  const scratch = new Scratch();
  assert.deepEqual(arr(rowsOf(t, 'close', 1, 4, scratch)), [2, NaN, 4, 5]);
  const b = rowsOf(t, 'close', 0, 5, scratch);
  assert.deepEqual(arr(b), [1, 2, NaN, 4, 5]);
  assert.equal(rowsOf(t, 'close', 1, 4, scratch).buffer, b.buffer, 'no new allocation once the scratch is large enough');
});

test('Int8 signal columns, Bool columns and timestamps convert to numbers; nulls become NaN', () => {
  const dates = dates5m(4);
  const t = frame(dates, { enter_long: { int8: [0, 1, null, 1] }, flag: { bool: [true, false, null, true] } }, 1);
  assert.deepEqual(arr(rowsOf(t, 'enter_long', 0, 4)), [0, 1, NaN, 1]);
  assert.deepEqual(arr(rowsOf(t, 'flag', 0, 4)), [1, 0, NaN, 1]);
  assert.deepEqual(arr(rowsOf(t, 'date', 2, 2)), dates.slice(2));
});

test('bit-addressed columns honour a batch offset (how the store slices its bitmaps)', () => {
  const t = frame(dates5m(6), { flag: { bool: [false, false, false, true, null, true] } }, 3);
  assert.deepEqual(arr(rowsOf(t, 'flag', 3, 3)), [1, NaN, 1]);
});

test('cells read as numbers or text by schema index, in either batch', () => {
  const t = frame(dates5m(3), { enter_tag: { dict: ['a', null, 'b'] }, rsi: [30, null, 40] }, 1);
  const tag = columnIndex(t, 'enter_tag');
  const rsi = columnIndex(t, 'rsi');
  assert.equal(columnIndex(t, 'date'), 0);
  assert.equal(columnIndex(t, 'nope'), -1);
  assert.equal(isNumericColumn(t, tag), false);
  assert.equal(isNumericColumn(t, rsi), true);
  assert.equal(textAt(t, tag, 0), 'a');
  assert.equal(textAt(t, tag, 2), 'b');
  assert.equal(textAt(t, tag, 1), null);
  assert.equal(textAt(t, rsi, 0), null);
  assert.equal(numberAt(t, rsi, 2), 40);
  assert.ok(Number.isNaN(numberAt(t, rsi, 1)));
  assert.ok(Number.isNaN(numberAt(t, tag, 0)), 'text is not a number');
  assert.equal(numberAt(t, 0, 0), dates5m(1)[0]);
  assert.ok(Number.isNaN(numberAt(t, rsi, 3)), 'past the last row');
});

test('rows outside the table are an error, an empty window is not', () => {
  const t = frame(dates5m(2), { close: [1, 2] });
  assert.throws(() => rowsOf(t, 'close', 5, 1), /outside the table's 2 rows/);
  assert.equal(rowsOf(t, 'close', 2, 0).length, 0);
});
