import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Table } from 'apache-arrow';
import { FrameStore, type IngestOutcome } from '../../src/store/index.js';
import type { PairKey } from '../../src/protocol/index.js';
import { candles, decodedFrame, key, type Cell, type Columns } from './decoded-frame-fixture.js';

const M5 = 300_000;
const T0 = Date.UTC(2024, 9, 24, 0, 0);
const K = key();

function setup(capacity = 1500): { store: FrameStore } {
  return { store: new FrameStore({ capacity }) };
}

/** A frame of `n` 5m candles from candle index `from`, `close` = candle index. */
function run(from: number, n: number, extra: (i: number) => Columns = () => ({})): ReturnType<typeof decodedFrame> {
  const dates = candles(T0 + from * M5, n, M5);
  const closes = dates.map((_, i) => from + i);
  const cols: Record<string, Cell[]> = { close: closes };
  for (let i = 0; i < n; i++) for (const [name, v] of Object.entries(extra(from + i))) (cols[name] ??= []).push(v[0]!);
  return decodedFrame(dates, cols);
}

function held(store: FrameStore, k: PairKey = K, producer = 'default'): { dates: number[]; close: Cell[]; table: Table } {
  const df = store.producerDf(k.pair, k.timeframe, k.candleType, producer);
  assert.ok(df, 'frame held');
  return { dates: [...df.table.getChild('date')!].map(Number), close: [...df.table.getChild('close')!], table: df.table };
}

const indices = (store: FrameStore, k: PairKey = K): number[] => held(store, k).dates.map((d) => (d - T0) / M5);

test('a frame of 100 rows or more replaces what is held', () => {
  const { store } = setup();
  assert.deepEqual(store.ingest('default', K, 'la1', run(0, 200), false), { action: 'replaced' });
  assert.deepEqual(store.ingest('default', K, 'la2', run(500, 100), false), { action: 'replaced' });
  assert.deepEqual(indices(store), candles(500, 100, 1));
  assert.deepEqual(held(store).close, candles(500, 100, 1));
  assert.equal(store.producerDf('BTC/USDT', '5m', 'spot')!.la, 'la2');
});

test('nothing held: a short frame is not stored and 1500 candles of the pair are requested', () => {
  const { store } = setup();
  assert.deepEqual(store.ingest('default', K, 'la', run(0, 1), false), { action: 'missing', limit: 1500 });
  assert.equal(store.producerDf('BTC/USDT', '5m', 'spot'), undefined);
  assert.equal(store.kinds('default', K), undefined);
  assert.deepEqual([...store.keys()], []);
});

test('the reply to our own request is stored even when shorter than 100 rows', () => {
  const { store } = setup();
  assert.equal(store.ingest('default', K, 'la', run(0, 1), false).action, 'missing');
  assert.deepEqual(store.ingest('default', K, 'short', run(0, 40), false), { action: 'missing', limit: 1500 }, 'not asked for: not stored');
  assert.deepEqual(store.ingest('default', K, 'reply', run(0, 40), true), { action: 'replaced' });
  assert.deepEqual(indices(store), candles(0, 40, 1));
  assert.deepEqual(store.ingest('default', K, 'next', run(40, 1), false), { action: 'appended' });
  assert.equal(held(store).dates.length, 41);
});

test('a gap d > 1 requests int(d) + 1 candles, or 1500 from 100 on', () => {
  const cases: [gapCandles: number, limit: number][] = [
    [2, 3],
    [3, 4],
    [98, 99],
    [99, 1500], // int(99) + 1 = 100 >= FULL
    [5000, 1500],
  ];
  for (const [gap, limit] of cases) {
    const { store } = setup();
    store.ingest('default', K, 'la', run(0, 100), false);
    assert.deepEqual(store.ingest('default', K, 'la', run(99 + gap, 1), false), { action: 'missing', limit }, `gap ${gap}`);
    assert.deepEqual(indices(store), candles(0, 100, 1), 'nothing appended');
  }
});

test('a fractional gap truncates: d = 1.5 requests 2, d = 1 appends', () => {
  const { store } = setup();
  store.ingest('default', K, 'la', run(0, 100), false);
  const half = decodedFrame([T0 + 99 * M5 + 1.5 * M5], { close: [1] });
  assert.deepEqual(store.ingest('default', K, 'la', half, false), { action: 'missing', limit: 2 });
  assert.deepEqual(store.ingest('default', K, 'la', run(100, 1), false), { action: 'appended' });
  assert.deepEqual(indices(store), candles(0, 101, 1));
});

test('a re-sent last candle replaces the held last row', () => {
  const { store } = setup();
  store.ingest('default', K, 'la', run(0, 100), false);
  const again = decodedFrame([T0 + 99 * M5], { close: [12345] });
  assert.deepEqual(store.ingest('default', K, 'la2', again, false), { action: 'appended' });
  const h = held(store);
  assert.equal(h.dates.length, 100);
  assert.equal(h.close[99], 12345);
  assert.equal(h.close[98], 98);
});

test('held rows dated at or after the incoming first date are dropped, even ones after its last', () => {
  const { store } = setup();
  store.ingest('default', K, 'la', run(0, 100), false);
  store.ingest('default', K, 'la', run(90, 2), false); // freqtrade keeps [0, 90) + [90, 92): rows 92..99 are gone
  assert.deepEqual(indices(store), candles(0, 92, 1));
});

test('an incoming frame starting before everything held becomes the whole frame', () => {
  const { store } = setup();
  store.ingest('default', K, 'la', run(50, 100), false);
  assert.deepEqual(store.ingest('default', K, 'la', run(10, 3), false), { action: 'appended' });
  assert.deepEqual(indices(store), [10, 11, 12]);
});

test('the frame is capped at capacity, the ring wraps, and the table is two batches with the right values', () => {
  const { store } = setup(120);
  const extra = (i: number): Columns => ({
    enter_long: [i % 3 === 0 ? 1 : i % 3 === 1 ? 0 : null],
    flag: [i % 2 === 0],
    enter_tag: [i % 4 === 0 ? null : `tag${i % 5}`],
    rsi: [i % 7 === 0 ? null : i / 10],
  });
  assert.equal(store.ingest('default', K, 'la', run(0, 150, extra), false).action, 'replaced');
  assert.deepEqual(indices(store), candles(30, 120, 1), 'last 120 of 150');
  for (let i = 150; i < 200; i++) assert.equal(store.ingest('default', K, `la${i}`, run(i, 1, extra), false).action, 'appended');
  const { table } = held(store);
  assert.equal(table.batches.length, 2, 'wrapped ring = two record batches');
  assert.equal(table.numRows, 120);
  assert.deepEqual(indices(store), candles(80, 120, 1));
  const want = candles(80, 120, 1).map(extra);
  assert.deepEqual([...table.getChild('enter_long')!], want.map((c) => c.enter_long![0]));
  assert.deepEqual([...table.getChild('flag')!], want.map((c) => c.flag![0]));
  assert.deepEqual([...table.getChild('enter_tag')!], want.map((c) => c.enter_tag![0]));
  assert.deepEqual([...table.getChild('rsi')!], want.map((c) => c.rsi![0]));
  assert.deepEqual(table.schema.fields.map((f) => `${f.name}:${f.type}`), [
    'date:Timestamp<MILLISECOND, UTC>',
    'close:Float64',
    'enter_long:Int8',
    'flag:Bool',
    'enter_tag:Dictionary<Int32, Utf8>',
    'rsi:Float64',
  ]);
  assert.equal(store.producerDf('BTC/USDT', '5m', 'spot')!.la, 'la199');
});

test('a table is a view over the held buffers: appends and same-schema replaces reuse them', () => {
  const { store } = setup(200);
  store.ingest('default', K, 'la', run(0, 150), false);
  const buffer = (t: Table): ArrayBufferLike => t.getChild('close')!.data[0]!.values.buffer;
  const first = buffer(held(store).table);
  store.ingest('default', K, 'la', run(150, 1), false);
  assert.equal(buffer(held(store).table), first);
  for (let i = 151; i < 260; i++) store.ingest('default', K, 'la', run(i, 1), false);
  assert.equal(held(store).table.batches.length, 2, 'wrapped');
  store.ingest('default', K, 'la', run(1000, 150), false);
  assert.equal(buffer(held(store).table), first);
  assert.equal(held(store).table.batches.length, 1, 'a replace starts at slot 0: one batch');
  assert.equal(held(store).table.getChild('date')!.data[0]!.values.buffer, first, 'dates live in the same slab');
});

test('the schema object is stable per key until its columns change, so readers may cache by it', () => {
  const { store } = setup();
  store.ingest('default', K, 'la', run(0, 100), false);
  const schema = held(store).table.schema;
  store.ingest('default', K, 'la', run(100, 1), false);
  store.ingest('default', K, 'la', run(500, 100), false);
  assert.equal(held(store).table.schema, schema);
  store.ingest('default', K, 'la', decodedFrame(candles(T0, 100, M5), { close: candles(0, 100, 1), rsi: candles(0, 100, 1) }), false);
  assert.notEqual(held(store).table.schema, schema);
});

test('a null float is NaN underneath its validity bit (readers may take float buffers as they are)', () => {
  const { store } = setup();
  store.ingest('default', K, 'la', run(0, 100, (i) => ({ rsi: [i % 2 === 0 ? null : i] })), false);
  const rsi = held(store).table.getChild('rsi')!;
  assert.equal(rsi.get(0), null);
  assert.ok(Number.isNaN((rsi.data[0]!.values as Float64Array)[0]));
  assert.equal((rsi.data[0]!.values as Float64Array)[1], 1);
});

test('la is stored with the key, and only by stored frames', () => {
  const { store } = setup();
  store.ingest('default', K, '2024-10-24T09:29:03.123456+00:00', run(0, 100), false);
  store.ingest('default', K, 'gap', run(200, 1), false);
  assert.equal(store.producerDf('BTC/USDT', '5m', 'spot')!.la, '2024-10-24T09:29:03.123456+00:00');
  store.ingest('default', K, '2024-10-24T09:30:00+00:00', run(100, 1), false);
  assert.equal(store.producerDf('BTC/USDT', '5m', 'spot')!.la, '2024-10-24T09:30:00+00:00');
  assert.deepEqual([...store.keys()], [
    { producer: 'default', key: K, rows: 101, firstDate: T0, lastDate: T0 + 100 * M5, la: '2024-10-24T09:30:00+00:00' },
  ]);
});

test('keys are per producer, pair, timeframe and candle type', () => {
  const { store } = setup();
  const keys = [key('BTC/USDT', '5m'), key('BTC/USDT', '1h'), key('BTC/USDT', '5m', 'futures'), key('ETH/USDT', '5m')];
  keys.forEach((k, i) => store.ingest('default', k, 'la', run(i * 1000, 100), false));
  store.ingest('other', K, 'la', run(5000, 100), false);
  keys.forEach((k, i) => assert.equal(held(store, k).dates[0], T0 + i * 1000 * M5));
  assert.equal(held(store, K, 'other').dates[0], T0 + 5000 * M5);
  assert.equal(store.producerDf('BTC/USDT', '5m', 'spot', 'nobody'), undefined);
  assert.equal([...store.keys()].length, 5);
});

test('whitelists are per producer; frames of pairs that leave it are kept', () => {
  const { store } = setup();
  assert.deepEqual(store.producerPairs('default'), []);
  const pairs = ['BTC/USDT', 'ETH/USDT'];
  store.setWhitelist('default', pairs);
  pairs.push('mutated by caller');
  store.setWhitelist('other', ['XRP/USDT']);
  assert.deepEqual(store.producerPairs('default'), ['BTC/USDT', 'ETH/USDT']);
  assert.deepEqual(store.producerPairs('other'), ['XRP/USDT']);
  store.ingest('default', K, 'la', run(0, 100), false);
  store.setWhitelist('default', ['ETH/USDT']);
  assert.deepEqual(store.producerPairs('default'), ['ETH/USDT']);
  assert.equal(held(store).dates.length, 100);
  assert.deepEqual(store.ingest('default', K, 'la', run(100, 1), false), { action: 'appended' }, 'still updated if sent');
});

test('schema change: a full frame with other columns replaces, kinds follow the new frame', () => {
  const { store } = setup();
  store.ingest('default', K, 'la', run(0, 100), false);
  assert.deepEqual([...store.kinds('default', K)!], [['close', 'float64']]);
  const wider = decodedFrame(candles(T0, 100, M5), { close: candles(0, 100, 1), enter_tag: Array(100).fill('x') });
  assert.deepEqual(store.ingest('default', K, 'la', wider, false), { action: 'replaced' });
  assert.deepEqual([...store.kinds('default', K)!], [['close', 'float64'], ['enter_tag', 'dict']]);
  assert.deepEqual(held(store).table.schema.fields.map((f) => f.name), ['date', 'close', 'enter_tag']);
});

test('schema change: a short frame is not appended and asks for 1500; the reply is stored', () => {
  const { store } = setup();
  store.ingest('default', K, 'la', run(0, 100), false);
  const other = (from: number, n: number) => decodedFrame(candles(T0 + from * M5, n, M5), { close: candles(from, n, 1), extra: Array(n).fill(1) });
  assert.deepEqual(store.ingest('default', K, 'la', other(100, 1), false), { action: 'missing', limit: 1500 });
  assert.deepEqual(indices(store), candles(0, 100, 1), 'old frame untouched');
  const sameNamesOtherKind = decodedFrame([T0 + 100 * M5], { close: ['a'] });
  assert.equal(store.ingest('default', K, 'la', sameNamesOtherKind, false).action, 'missing', 'a kind change is a schema change');
  assert.equal(store.ingest('default', K, 'la', other(101, 1), true).action, 'missing', 'a one-row broadcast is not the reply');
  assert.deepEqual(indices(store), candles(0, 100, 1));
  assert.deepEqual(store.ingest('default', K, 'reply', other(60, 41), true), { action: 'replaced' }, 'the reply to our request');
  assert.deepEqual(indices(store), candles(60, 41, 1));
  assert.deepEqual(held(store).table.schema.fields.map((f) => f.name), ['date', 'close', 'extra']);
});

test('the answer to a gap request is appended', () => {
  const { store } = setup();
  store.ingest('default', K, 'la', run(0, 100), false);
  assert.deepEqual(store.ingest('default', K, 'la', run(103, 1), false), { action: 'missing', limit: 5 });
  assert.deepEqual(store.ingest('default', K, 'la', run(104, 1), true), { action: 'missing', limit: 6 });
  assert.deepEqual(store.ingest('default', K, 'reply', run(99, 6), true), { action: 'appended' });
  assert.deepEqual(indices(store), candles(0, 105, 1));
});

test('an empty frame changes nothing', () => {
  const { store } = setup();
  const outcome: IngestOutcome = store.ingest('default', K, 'la', decodedFrame([], { close: [] }), false);
  assert.equal(outcome.action, 'skipped');
  assert.deepEqual([...store.keys()], []);
});

test('a timeframe freqtrade does not know cannot show a gap: short frames append', () => {
  const { store } = setup();
  const odd = key('BTC/USDT', '7x');
  store.ingest('default', odd, 'la', run(0, 100), false);
  assert.equal(store.ingest('default', odd, 'la', run(500, 1), false).action, 'appended');
  assert.equal(held(store, odd).dates.length, 101);
});

test('unordered held dates: the drop is a filter (date < first), as in pandas', () => {
  const { store } = setup();
  const dates = candles(T0, 100, M5);
  [dates[10], dates[50]] = [dates[50]!, dates[10]!]; // candle 50 at row 10, candle 10 at row 50
  store.ingest('default', K, 'la', decodedFrame(dates, { close: dates.map((d) => (d - T0) / M5) }), false);
  store.ingest('default', K, 'la', run(40, 1), false);
  assert.deepEqual(indices(store), [...candles(0, 10, 1), ...candles(11, 29, 1), 10, 40]);
  assert.deepEqual(held(store).close, [...candles(0, 10, 1), ...candles(11, 29, 1), 10, 40]);
  store.ingest('default', K, 'la', run(41, 1), false);
  assert.deepEqual(indices(store).slice(-3), [10, 40, 41]);
});

test("freqtrade's append quirk: kept rows ending on the incoming last date are kept without the frame", () => {
  const { store } = setup();
  store.ingest('default', K, 'la', run(0, 100), false);
  // Not ascending: dates 95 then 90. Kept rows (< 95) end on candle 94 != 90: appended.
  store.ingest('default', K, 'la', decodedFrame([T0 + 95 * M5, T0 + 90 * M5], { close: [-1, -2] }), false);
  assert.deepEqual(indices(store), [...candles(0, 95, 1), 95, 90]);
  // Held last is 90. A frame [91, 90]: kept rows (< 91) are 0..90 and the trailing 90, ending on 90 ==
  // the frame's last date, so freqtrade stores the kept rows alone.
  assert.deepEqual(store.ingest('default', K, 'la', decodedFrame([T0 + 91 * M5, T0 + 90 * M5], { close: [-3, -4] }), false), { action: 'appended' });
  assert.deepEqual(indices(store), [...candles(0, 91, 1), 90]);
  assert.deepEqual(held(store).close.slice(-2), [90, -2]);
});
