import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dictionary, Vector } from 'apache-arrow';
import { RingView } from '../../src/store/arrow-view.js';
import { bitmapBytes, getBit, packBits } from '../../src/store/bitmap.js';
import { FrameRing } from '../../src/store/frame-ring.js';
import { candles, decodedFrame } from './decoded-frame-fixture.js';

test('packBits writes any run at any bit offset and leaves the other bits alone', () => {
  for (const at of [0, 1, 5, 8, 13]) {
    for (const n of [0, 1, 7, 8, 9, 23]) {
      const bitmap = new Uint8Array(bitmapBytes(64)).fill(0xa5);
      const before = Uint8Array.from(bitmap);
      const src = Int8Array.from({ length: n + 2 }, (_, i) => (i * 7) % 3 === 0 ? 0 : i % 2 === 0 ? 1 : -1);
      packBits(bitmap, at, src, 2, n);
      for (let i = 0; i < 64; i++) {
        const want = i >= at && i < at + n ? src[2 + i - at] !== 0 : getBit(before, i);
        assert.equal(getBit(bitmap, i), want, `at ${at} n ${n} bit ${i}`);
      }
    }
  }
});

test('dates survive the int64 words exactly, before 1970 and far ahead', () => {
  const dates = [-86_400_000 * 365 * 100 - 1, -1, 0, 1, 2 ** 32 - 1, 2 ** 32, Date.UTC(2024, 9, 24, 9, 25), 2 ** 53 - 1];
  const ring = FrameRing.allocate(8, decodedFrame(dates));
  ring.replace(decodedFrame(dates));
  assert.deepEqual(Array.from({ length: ring.rows }, (_, i) => ring.date(i)), dates);
  assert.deepEqual([...ring.dates].map(Number), dates, 'the BigInt64 view Arrow reads agrees');
});

test('a frame longer than the capacity keeps its last rows', () => {
  const frame = decodedFrame(candles(0, 10, 1), { v: candles(100, 10, 1) });
  const ring = FrameRing.allocate(4, frame);
  ring.replace(frame);
  assert.deepEqual(Array.from({ length: ring.rows }, (_, i) => ring.date(i)), [6, 7, 8, 9]);
  ring.push(frame); // as long as the ring: replaces it all
  assert.deepEqual(Array.from({ length: ring.rows }, (_, i) => ring.date(i)), [6, 7, 8, 9]);
  assert.equal(ring.head, 0);
});

test('the tag dictionary is compacted once it holds more strings than twice the capacity', () => {
  const capacity = 4;
  const one = (i: number) => decodedFrame([i], { enter_tag: [i % 5 === 0 ? null : `t${i}`] });
  const ring = FrameRing.allocate(capacity, one(0));
  ring.replace(one(0));
  const view = RingView.of(ring); // one view throughout: its dictionary vectors must follow compactions
  let largest = 0;
  for (let i = 1; i < 100; i++) {
    ring.push(one(i));
    const col = view.table().getChild('enter_tag')! as Vector<Dictionary>;
    largest = Math.max(largest, col.data[0]!.dictionary!.length);
    const want = candles(Math.max(0, i - capacity + 1), Math.min(i + 1, capacity), 1).map((j) => (j % 5 === 0 ? null : `t${j}`));
    assert.deepEqual([...col], want, `after row ${i}`);
  }
  assert.ok(largest <= 2 * capacity + 1, `dictionary stayed bounded (largest ${largest})`);
  assert.ok(largest > capacity, 'and was compacted, not reset');
});

test('a dictionary shared by both batches of a wrapped view is one vector', () => {
  const frame = (from: number, n: number) => decodedFrame(candles(from, n, 1), { exit_tag: candles(from, n, 1).map((i) => `x${i % 3}`) });
  const ring = FrameRing.allocate(5, frame(0, 5));
  ring.replace(frame(0, 5));
  ring.push(frame(5, 2));
  const table = RingView.of(ring).table();
  assert.equal(table.batches.length, 2);
  const col = table.getChild('exit_tag')!;
  assert.equal(col.data[0]!.dictionary, col.data[1]!.dictionary);
  assert.deepEqual([...col], ['x2', 'x0', 'x1', 'x2', 'x0']);
});
