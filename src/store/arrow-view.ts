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
} from 'apache-arrow';
import type { FrameRing, RingColumn } from './frame-ring.js';

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

/** The Table view of one ring, rebuilt only when the ring changed since the last call. */
export class ArrowView {
  private cached: Table | undefined;
  private cachedRevision = -1;
  /** Per column: Arrow vector of the dictionary's strings and the dictionary version it shows. */
  private readonly dictionaries: { vector: Vector<Utf8>; version: number }[] = [];

  constructor(
    private readonly ring: FrameRing,
    private readonly schema: Schema,
  ) {}

  table(): Table {
    const ring = this.ring;
    if (this.cached !== undefined && this.cachedRevision === ring.revision) return this.cached;
    const first = Math.min(ring.rows, ring.capacity - ring.head);
    const batches = [this.batch(ring.head, first)];
    if (first < ring.rows) batches.push(this.batch(0, ring.rows - first));
    this.cached = new Table(this.schema, batches);
    this.cachedRevision = ring.revision;
    return this.cached;
  }

  /** A record batch over slots [start, start + length). */
  private batch(start: number, length: number): RecordBatch {
    const fields = this.schema.fields;
    const end = start + length;
    const children: Data[] = [makeData({ type: fields[0]!.type, data: this.ring.dates.subarray(start, end), length, nullCount: 0 })];
    this.ring.columns.forEach((col, i) => {
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
          children.push(makeData({ ...common, data: col.codes.subarray(start, end), dictionary: this.dictionary(i, col) }));
          break;
      }
    });
    return new RecordBatch(this.schema, makeData({ type: new Struct(fields), length, nullCount: 0, children }));
  }

  private dictionary(i: number, col: RingColumn & { kind: 'dict' }): Vector<Utf8> {
    const held = this.dictionaries[i];
    if (held !== undefined && held.version === col.dictionary.version) return held.vector;
    const vector = utf8Vector(col.dictionary.values);
    this.dictionaries[i] = { vector, version: col.dictionary.version };
    return vector;
  }
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
