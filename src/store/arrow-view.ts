/**
 * apache-arrow Tables over a FrameRing's buffers, without copying column data: each record batch is a
 * set of Data objects pointing into the ring's slab (one batch when the held rows are contiguous, two when
 * they wrap around the end). A view shows the ring as it is: it is valid until the key's next ingest.
 */
import {
  Bool,
  Data,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int8,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Utf8,
  Vector,
  type DataType,
} from './arrow.js';
import type { FrameRing, RingColumn } from './frame-ring.js';

/**
 * A Table over the ring's rows as they are now, with the ring's `schema` (kept by the caller, so readers can
 * key caches on it). The table is not cached: a view of 31 columns in two batches is ~45 KB of Arrow objects
 * (arrow-js's RecordBatch alone re-derives its schema, ~9 KB), which die young when built per read but would
 * stay resident per key if kept.
 */
export function tableView(ring: FrameRing, schema: Schema): Table {
  const dictionaries = ring.columns.map((col) => (col.kind === 'dict' ? utf8Vector(col.dictionary.values) : undefined));
  const first = Math.min(ring.rows, ring.capacity - ring.head);
  const batches = [batch(ring, schema, dictionaries, ring.head, first)];
  if (first < ring.rows) batches.push(batch(ring, schema, dictionaries, 0, ring.rows - first));
  return new Table(schema, batches);
}

/** Arrow schema of a ring: `date` as Timestamp(ms, UTC), then the producer's columns in order. */
export function ringSchema(ring: FrameRing): Schema {
  const fields: Field[] = [new Field('date', new TimestampMillisecond('UTC'), false)];
  ring.columns.forEach((col, i) => fields.push(new Field(col.name, arrowType(col, i + 1), true)));
  return new Schema(fields);
}

function arrowType(col: RingColumn, dictionaryId: number): DataType {
  switch (col.kind) {
    case 'float64':
      return new Float64();
    case 'int8':
      return new Int8();
    case 'bool':
      return new Bool();
    case 'dict':
      return new Dictionary(new Utf8(), new Int32(), dictionaryId);
  }
}

/** A record batch over slots [start, start + length); both batches of a table share the dictionary vectors. */
function batch(ring: FrameRing, schema: Schema, dictionaries: (Vector<Utf8> | undefined)[], start: number, length: number): RecordBatch {
  const fields = schema.fields;
  const end = start + length;
  const children: Data[] = [makeData({ type: fields[0]!.type, data: ring.dates.subarray(start, end), length, nullCount: 0 })];
  ring.columns.forEach((col, i) => {
    const type = fields[i + 1]!.type;
    // Value buffers are sliced to the batch; bitmaps are addressed with `offset`, as Arrow's Data.slice does.
    const common = { type, offset: start, length, nullBitmap: col.valid };
    switch (col.kind) {
      case 'float64':
      case 'int8':
        children.push(makeData({ ...common, data: col.values.subarray(start, end) }));
        break;
      case 'bool':
        children.push(makeData({ ...common, data: col.bits }));
        break;
      case 'dict':
        children.push(makeData({ ...common, data: col.codes.subarray(start, end), dictionary: dictionaries[i]! }));
        break;
    }
  });
  return new RecordBatch(schema, makeData({ type: new Struct(fields), length, nullCount: 0, children }));
}

const encoder = new TextEncoder();

function utf8Vector(values: readonly string[]): Vector<Utf8> {
  const valueOffsets = new Int32Array(values.length + 1);
  for (let i = 0; i < values.length; i++) valueOffsets[i + 1] = valueOffsets[i]! + Buffer.byteLength(values[i]!);
  const data = new Uint8Array(valueOffsets[values.length]!);
  let at = 0;
  for (const s of values) at += encoder.encodeInto(s, data.subarray(at)).written;
  return new Vector([makeData({ type: new Utf8(), length: values.length, nullCount: 0, valueOffsets, data })]);
}
