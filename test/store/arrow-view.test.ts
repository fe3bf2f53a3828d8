import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RingView } from '../../src/store/arrow-view.js';
import { RecordBatch, Struct, Table, makeData, tableFromIPC, tableToIPC, type Data } from '../../src/store/arrow.js';
import { FrameRing } from '../../src/store/frame-ring.js';
import { FrameStore } from '../../src/store/index.js';
import { candles, decodedFrame, key, type Cell } from './decoded-frame-fixture.js';

/** Rows [from, from + n) of a frame with every column kind, nulls included. */
function frame(from: number, n: number) {
  const rows = candles(from, n, 1);
  return decodedFrame(rows.map((i) => 1000 * i), {
    close: rows.map((i) => (i % 4 === 0 ? null : i + 0.5)),
    enter_long: rows.map((i) => (i % 5 === 0 ? null : i % 2)),
    flag: rows.map((i): Cell => (i % 6 === 0 ? null : i % 3 === 0)),
    enter_tag: rows.map((i) => (i % 3 === 0 ? null : `t${i % 4}`)),
  });
}

/** A ring of capacity 8 holding rows 3..10, wrapped: two batches. */
function wrappedRing(): FrameRing {
  const ring = FrameRing.allocate(8, frame(0, 8));
  ring.replace(frame(0, 8));
  ring.push(frame(8, 3));
  return ring;
}

/** The same Data through arrow-js's own factory (its visitor fills in what the view sets directly). */
function viaMakeData(d: Data): Data {
  return makeData({ type: d.type, offset: d.offset, length: d.length, nullBitmap: d.nullBitmap, data: d.values, dictionary: d.dictionary } as never);
}

const rows = (t: Table): unknown[] => t.toArray().map((r) => JSON.stringify(r));

test('a view is the table arrow-js builds from the same buffers with its public constructors', () => {
  const view = RingView.of(wrappedRing());
  const table = view.table();
  assert.equal(table.batches.length, 2);
  const batches = table.batches.map((b) => {
    const children = b.data.children.map(viaMakeData);
    return new RecordBatch(view.schema, makeData({ type: new Struct(view.schema.fields), length: b.numRows, nullCount: 0, children }));
  });
  const reference = new Table(view.schema, batches);
  assert.deepEqual(rows(table), rows(reference));
  assert.equal(table.numRows, 8);
  const column = (name: string): unknown[] => [...table.getChild(name)!];
  assert.deepEqual(column('date').map(Number), candles(3, 8, 1).map((i) => 1000 * i));
  assert.deepEqual(column('close'), [3.5, null, 5.5, 6.5, 7.5, null, 9.5, 10.5]);
  assert.deepEqual(column('enter_long'), [1, 0, null, 0, 1, 0, 1, null]);
  assert.deepEqual(column('flag'), [true, false, false, null, false, false, true, false]);
  assert.deepEqual(column('enter_tag'), [null, 't0', 't1', null, 't3', 't0', null, 't2']);
  for (const [b, batch] of table.batches.entries()) {
    const ref = reference.batches[b]!;
    assert.deepEqual(Object.keys(batch).sort(), Object.keys(ref).sort(), 'a batch has the fields the constructor sets');
    assert.equal(Object.getPrototypeOf(batch), RecordBatch.prototype);
    assert.equal(batch.schema, view.schema, 'batches carry the view schema itself');
    assert.equal(batch.nullCount, ref.nullCount);
    batch.data.children.forEach((d, c) => {
      const r = ref.data.children[c]!;
      assert.equal(`${d.type}`, `${r.type}`);
      assert.deepEqual([d.offset, d.length, d.nullCount, d.stride], [r.offset, r.length, r.nullCount, r.stride], `column ${c}`);
      assert.deepEqual(Object.keys(d).sort(), Object.keys(r).sort(), `column ${c}: the fields makeData sets`);
    });
  }
});

test('a view reads the ring in place: no column data is copied', () => {
  const ring = wrappedRing();
  const table = RingView.of(ring).table();
  const close = ring.columns[0]!;
  assert.equal(close.kind, 'float64');
  for (const batch of table.batches) {
    const d = batch.getChild('close')!.data[0]!;
    assert.equal(d.values.buffer, ring.dates.buffer);
    assert.equal(d.nullBitmap, close.valid);
  }
});

test('a view survives an IPC round trip with its nulls, booleans and tags', () => {
  const table = RingView.of(wrappedRing()).table();
  assert.deepEqual(rows(tableFromIPC(tableToIPC(table, 'file'))), rows(table));
});

test('a table read before an ingest keeps its rows count and batches; the next read shows the ingest', () => {
  const ring = wrappedRing();
  const view = RingView.of(ring);
  const before = view.table();
  const dates = (t: Table): number[] => [...t.getChild('date')!].map(Number);
  assert.deepEqual(dates(before), candles(3, 8, 1).map((i) => 1000 * i));
  ring.push(frame(11, 2));
  const after = view.table();
  assert.deepEqual(dates(after), candles(5, 8, 1).map((i) => 1000 * i));
  assert.equal(before.numRows, 8);
  assert.deepEqual(before.batches.map((b) => b.numRows), [5, 3], 'the earlier view keeps its shape (its slots may be rewritten)');
  assert.deepEqual(after.batches.map((b) => b.numRows), [3, 5]);
  ring.replace(frame(20, 4));
  assert.deepEqual(dates(view.table()), candles(20, 4, 1).map((i) => 1000 * i));
  assert.equal(view.table().batches.length, 1);
});

test('tag dictionaries are shared by reads until a new string arrives; older tables keep theirs', () => {
  const ring = wrappedRing();
  const view = RingView.of(ring);
  const dictionary = (t: Table): unknown => t.getChild('enter_tag')!.data[0]!.dictionary;
  const first = view.table();
  const held = [...first.getChild('enter_tag')!.data[0]!.dictionary!];
  ring.push(frame(11, 1)); // t3: a string the dictionary holds
  const second = view.table();
  assert.equal(dictionary(second), dictionary(first));
  ring.push(decodedFrame([12_000], { close: [1], enter_long: [1], flag: [true], enter_tag: ['new tag'] }));
  const third = view.table();
  assert.notEqual(dictionary(third), dictionary(first));
  assert.equal(third.getChild('enter_tag')!.get(7), 'new tag');
  assert.deepEqual([...(dictionary(first) as Iterable<unknown>)], held, 'the earlier table keeps its strings');
  assert.ok(!held.includes('new tag'));
});

test('the schema is made once per view', () => {
  const view = RingView.of(wrappedRing());
  assert.equal(view.table().schema, view.schema);
  assert.equal(view.table().schema, view.table().schema);
});

test('views of rings with the same columns share one schema; other columns get their own', () => {
  const a = RingView.of(wrappedRing());
  const b = RingView.of(wrappedRing(), [a]);
  assert.equal(b.schema, a.schema);
  assert.notEqual(b.table().getChild('enter_tag')!.data[0]!.dictionary, a.table().getChild('enter_tag')!.data[0]!.dictionary, 'dictionaries stay per ring');
  const other = FrameRing.allocate(4, decodedFrame([1], { close: [1], rsi: [2] }));
  assert.notEqual(RingView.of(other, [a, b]).schema, a.schema);
  const renamed = FrameRing.allocate(4, decodedFrame([1], { close: [1], enter_long: [1], flag: [true], exit_tag: ['x'] }));
  assert.notEqual(RingView.of(renamed, [a]).schema, a.schema);
});

test('the store hands keys with the same columns one schema, and a key a new one when its columns change', () => {
  const store = new FrameStore({ capacity: 8 });
  const schemaOf = (pair: string) => store.producerDf(pair, '5m', 'spot')!.table.schema;
  for (const pair of ['A/USDT', 'B/USDT']) store.ingest('default', key(pair), 'la', decodedFrame(candles(0, 100, 300_000), { close: candles(0, 100, 1) }));
  store.ingest('other', key('A/USDT'), 'la', decodedFrame(candles(0, 100, 300_000), { close: candles(0, 100, 1) }));
  const shared = schemaOf('A/USDT');
  assert.equal(schemaOf('B/USDT'), shared);
  assert.equal(store.producerDf('A/USDT', '5m', 'spot', 'other')!.table.schema, shared);
  store.ingest('default', key('B/USDT'), 'la', decodedFrame(candles(0, 100, 300_000), { close: candles(0, 100, 1), rsi: candles(0, 100, 1) }));
  assert.notEqual(schemaOf('B/USDT'), shared);
  assert.deepEqual(schemaOf('B/USDT').fields.map((f) => f.name), ['date', 'close', 'rsi']);
  assert.equal(schemaOf('A/USDT'), shared);
});
