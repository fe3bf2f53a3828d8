import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scratch, isNumericColumn, numberAt, numericRows, textAt } from '../../src/strategy/column-view.js';
import { dates5m, frame } from './arrow-frames.js';

const arr = (a: ArrayLike<number>) => Array.from(a);

test('rows of a Float64 column in one batch are a view of the Arrow buffer, not a copy', () => {
  const t = frame(dates5m(5), { close: [1, 2, 3, 4, 5] }, 2);
  const v = t.getChild('close')!;
  const view = numericRows(v, 3, 2, new Scratch());
  assert.deepEqual(arr(view), [4, 5]);
  assert.equal(view.buffer, (v.data[1]!.values as Float64Array).buffer, 'shares the second batch buffer');
  const first = numericRows(v, 0, 2, new Scratch());
  assert.equal(first.buffer, (v.data[0]!.values as Float64Array).buffer);
});

test('rows spanning both batches of a wrapped ring are copied into the scratch buffer, which is reused', () => {
  const t = frame(dates5m(5), { close: [1, 2, null, 4, 5] }, 3);
  const v = t.getChild('close')!;
  const scratch = new Scratch();
  const a = numericRows(v, 1, 4, scratch);
  assert.deepEqual(arr(a), [2, NaN, 4, 5]);
  const b = numericRows(v, 0, 5, scratch);
  assert.deepEqual(arr(b), [1, 2, NaN, 4, 5]);
  const c = numericRows(v, 1, 4, scratch);
  assert.equal(c.buffer, b.buffer, 'no new allocation once the scratch is large enough');
});

test('Int8 signal columns, Bool columns and timestamps convert to numbers; nulls become NaN', () => {
  const dates = dates5m(4);
  const t = frame(dates, { enter_long: { int8: [0, 1, null, 1] }, flag: { bool: [true, false, null, true] } }, 1);
  assert.deepEqual(arr(numericRows(t.getChild('enter_long')!, 0, 4, new Scratch())), [0, 1, NaN, 1]);
  assert.deepEqual(arr(numericRows(t.getChild('flag')!, 0, 4, new Scratch())), [1, 0, NaN, 1]);
  assert.deepEqual(arr(numericRows(t.getChild('date')!, 2, 2, new Scratch())), dates.slice(2));
});

test('bit-addressed columns honour a batch offset (how the store slices its bitmaps)', () => {
  // A second batch starting at row 3 of the ring: Bool bits and validity are read at offset + row.
  const t = frame(dates5m(6), { flag: { bool: [false, false, false, true, null, true] } }, 3);
  assert.deepEqual(arr(numericRows(t.getChild('flag')!, 3, 3, new Scratch())), [1, NaN, 1]);
});

test('text columns are not numeric; cells read as text or numbers', () => {
  const t = frame(dates5m(3), { enter_tag: { dict: ['a', null, 'b'] }, rsi: [30, null, 40] }, 1);
  assert.equal(isNumericColumn(t.getChild('enter_tag')!), false);
  assert.equal(isNumericColumn(t.getChild('rsi')!), true);
  assert.equal(textAt(t.getChild('enter_tag')!, 2), 'b');
  assert.equal(textAt(t.getChild('enter_tag')!, 1), null);
  assert.equal(textAt(t.getChild('rsi')!, 0), null);
  assert.equal(numberAt(t.getChild('rsi')!, 2), 40);
  assert.ok(Number.isNaN(numberAt(t.getChild('rsi')!, 1)));
  assert.equal(numberAt(t.getChild('date')!, 0), dates5m(1)[0]);
});

test('rows outside the column are an error, an empty window is not', () => {
  const t = frame(dates5m(2), { close: [1, 2] });
  assert.throws(() => numericRows(t.getChild('close')!, 5, 1, new Scratch()), /outside/);
  assert.equal(numericRows(t.getChild('close')!, 2, 0, new Scratch()).length, 0);
});
