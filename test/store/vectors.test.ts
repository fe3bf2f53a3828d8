/** The real producer messages of shared/vectors, through the real envelope parser and frame decoder, into the store. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FrameStore, type IngestOutcome } from '../../src/store/index.js';
import { parseEnvelope } from '../../src/wire/envelope.js';
import { VECTORS_DIR as VECTORS } from '../helpers/vectors.js';
import { FrameDecoder } from '../../src/wire/frame-decoder.js';
import type { PairKey } from '../../src/protocol/index.js';

interface Expected {
  key: [string, string, string];
  df: { columns: string[]; rows: number; values: Record<string, unknown[]>; exact_overrides: Record<string, Record<string, number>> };
}

function expected(name: string): Expected {
  return JSON.parse(readFileSync(join(VECTORS, `${name}.expected.json`), 'utf8')) as Expected;
}

/** Decodes vector `name` with the store's hint for its key and ingests it. */
function feed(store: FrameStore, decoder: FrameDecoder, name: string, producer = 'default', replyExpected = false): { outcome: IngestOutcome; key: PairKey } {
  const msg = readFileSync(join(VECTORS, `${name}.wire`));
  const env = parseEnvelope(msg);
  assert.equal(env.kind, 'analyzed_df', name);
  if (env.kind !== 'analyzed_df') throw new Error('unreachable');
  const r = decoder.decode(msg, env.frameStart, env.frameEnd, { hint: store.kinds(producer, env.key), removeSignals: false });
  assert.deepEqual(r, { ok: true }, name);
  return { outcome: store.ingest(producer, env.key, env.la, decoder.frame, replyExpected), key: env.key };
}

/** The held table equals the vector's expected values (correctly rounded), cell by cell. */
function assertHolds(store: FrameStore, name: string, lastRows?: number): void {
  const want = expected(name);
  const [pair, timeframe, candleType] = want.key;
  const table = store.producerDf(pair, timeframe, candleType as PairKey['candleType'])!.table;
  assert.deepEqual(table.schema.fields.map((f) => f.name), want.df.columns, `${name}: columns`);
  const skip = lastRows === undefined ? 0 : table.numRows - lastRows;
  for (const col of want.df.columns) {
    const values = [...want.df.values[col]!];
    for (const [row, v] of Object.entries(want.df.exact_overrides[col] ?? {})) values[Number(row)] = v;
    // pandas reads a true/null/false column as float 1/NaN/0; ft-edge keeps booleans: compare as numbers.
    const asNumber = (v: unknown): unknown => (typeof v === 'boolean' ? Number(v) : v);
    assert.deepEqual([...table.getChild(col)!].slice(skip).map(asNumber), values.map(asNumber), `${name}: column ${col}`);
  }
}

test('full frame replaces, the re-sent last candle replaces the last row, values exact', () => {
  const store = new FrameStore({ capacity: 1500 });
  const decoder = new FrameDecoder();
  assert.deepEqual(feed(store, decoder, 'analyzed_df_full_1500').outcome, { action: 'replaced' });
  assertHolds(store, 'analyzed_df_full_1500');
  const before = store.producerDf('BTC/USDT', '5m', 'spot')!.table.numRows;
  assert.deepEqual(feed(store, decoder, 'analyzed_df_incremental_1row').outcome, { action: 'appended' });
  assert.equal(store.producerDf('BTC/USDT', '5m', 'spot')!.table.numRows, before);
  assertHolds(store, 'analyzed_df_incremental_1row', 1);
  assert.equal(store.producerDf('BTC/USDT', '5m', 'spot')!.la, readLa('analyzed_df_incremental_1row'));
});

test('a capacity below the frame length keeps its last rows', () => {
  const store = new FrameStore({ capacity: 1000 });
  feed(store, new FrameDecoder(), 'analyzed_df_full_1500');
  const table = store.producerDf('BTC/USDT', '5m', 'spot')!.table;
  assert.equal(table.numRows, 1000);
  const dates = expected('analyzed_df_full_1500').df.values['date']!;
  assert.deepEqual([...table.getChild('date')!], dates.slice(500));
});

test('100-row and 120-row frames replace; loc-style signals and "" tags are held as sent', () => {
  const store = new FrameStore({ capacity: 1500 });
  const decoder = new FrameDecoder();
  for (const name of ['analyzed_df_index_offset_500', 'analyzed_df_loc_signals']) {
    assert.deepEqual(feed(store, decoder, name).outcome, { action: 'replaced' }, name);
    assertHolds(store, name);
  }
});

test('short frames with nothing held ask for 1500; the reply to that request is stored', () => {
  for (const name of ['analyzed_df_futures', 'analyzed_df_nan_null', 'analyzed_df_booleans', 'analyzed_df_string_tags', 'analyzed_df_odd_columns', 'analyzed_df_float_format']) {
    const store = new FrameStore({ capacity: 1500 });
    const decoder = new FrameDecoder();
    assert.deepEqual(feed(store, decoder, name).outcome, { action: 'missing', limit: 1500 }, name);
    assert.deepEqual(feed(store, decoder, name, 'default', true).outcome, { action: 'replaced' }, `${name}: reply`);
    assertHolds(store, name);
  }
});

test('vectors keep their meaning across producers: the same key from two producers is two frames', () => {
  const store = new FrameStore({ capacity: 1500 });
  const decoder = new FrameDecoder();
  feed(store, decoder, 'analyzed_df_full_1500', 'a');
  feed(store, decoder, 'analyzed_df_loc_signals', 'b');
  assert.equal(store.producerDf('BTC/USDT', '5m', 'spot', 'a')!.table.numRows, 1500);
  assert.equal(store.producerDf('BTC/USDT', '5m', 'spot', 'b'), undefined);
  assert.equal(store.producerDf('XRP/USDT', '5m', 'spot', 'b')!.table.numRows, 120);
});

function readLa(name: string): string {
  return (JSON.parse(readFileSync(join(VECTORS, `${name}.expected.json`), 'utf8')) as { la: { iso: string } }).la.iso;
}
