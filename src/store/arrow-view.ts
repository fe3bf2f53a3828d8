/**
 * apache-arrow Tables over a FrameRing's buffers, without copying column data: each record batch is a
 * set of Data objects pointing into the ring's slab (one batch when the held rows are contiguous, two when
 * they wrap around the end). A view shows the ring as it is: it is valid until the key's next ingest.
 *
 * A view is built per read (per strategy evaluation), so building one is kept cheap: what does not change
 * while the ring lives (schema, the batches' Struct type, the tag dictionaries until they change) is made
 * once per ring, and Data and record batches are constructed directly instead of through arrow-js's
 * makeData visitors and its RecordBatch constructor (see recordBatch): ~8 us per view instead of ~170 us
 * (bench/store-view.ts). A view is not cached between reads: each one is 8 KB (one batch) to 15 KB (two) of
 * short-lived objects that die young, where a table kept per key would stay resident (~11 KB per key), be
 * promoted to the old generation and become old garbage at the key's next ingest.
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

/** The bitmap of Data without nulls, as makeData leaves it (zero-length, so sharing it is harmless). */
const NO_NULLS = new Uint8Array(0);
/** Data's constructor defaults children and variadic buffers to a new [] each; arrow-js never writes to them. */
const NONE: never[] = [];
/** Data's constructor copies what it needs out of its `buffers` argument, so one array serves every call. */
const buffers: [undefined, ArrayBufferView | undefined, Uint8Array] = [undefined, undefined, NO_NULLS];
/** A Struct's buffers: only the empty bitmap. */
const STRUCT_BUFFERS = { 2: NO_NULLS };

/** A dict column's strings as Arrow, and the TagDictionary version they show. */
interface DictionaryVector {
  readonly version: number;
  readonly vector: Vector<Utf8>;
}

/** The Arrow side of one ring: its schema, made once, and Tables over its rows. */
export class RingView {
  private constructor(
    private readonly ring: FrameRing,
    /** `date` as Timestamp(ms, UTC), then the producer's columns in order; one object per ring at least. */
    readonly schema: Schema,
    /** The record batches' type: the schema's fields as a Struct. */
    private readonly struct: Struct,
    /** Per ring column: its dictionary as an Arrow vector, kept until the dictionary changes (dict columns only). */
    private readonly dictionaries: (DictionaryVector | undefined)[],
  ) {}

  /**
   * The view of `ring`. It takes the schema of a peer whose ring has the same columns: the keys of a producer
   * usually do, and one schema of 30 columns is ~11 KB of Arrow objects.
   */
  static of(ring: FrameRing, peers: Iterable<RingView> = []): RingView {
    const dictionaries = ring.columns.map(() => undefined);
    for (const peer of peers) if (ring.sameSchema(peer.ring)) return new RingView(ring, peer.schema, peer.struct, dictionaries);
    const fields: Field[] = [new Field('date', new TimestampMillisecond('UTC'), false)];
    ring.columns.forEach((col, i) => fields.push(new Field(col.name, arrowType(col, i + 1), true)));
    return new RingView(ring, new Schema(fields), new Struct(fields), dictionaries);
  }

  /** A Table over the ring's rows as they are now. */
  table(): Table {
    const ring = this.ring;
    const first = Math.min(ring.rows, ring.capacity - ring.head);
    const batches = [this.batch(ring.head, first)];
    if (first < ring.rows) batches.push(this.batch(0, ring.rows - first));
    return new Table(this.schema, batches);
  }

  /** A record batch over slots [start, start + length); both batches of a table share the dictionary vectors. */
  private batch(start: number, length: number): RecordBatch {
    const ring = this.ring;
    const fields = this.schema.fields;
    const end = start + length;
    const children: Data[] = [data(fields[0]!.type, 0, length, 0, ring.dates.subarray(start, end), NO_NULLS)];
    for (let i = 0; i < ring.columns.length; i++) {
      const col = ring.columns[i]!;
      const type = fields[i + 1]!.type;
      // As arrow-js's Data.slice leaves them: value buffers sliced to the batch, bitmaps (validity, and Bool's
      // values) addressed through `offset`. Null count -1: counted from the bitmap when someone asks.
      switch (col.kind) {
        case 'float64':
        case 'int8':
          children.push(data(type, start, length, -1, col.values.subarray(start, end), col.valid));
          break;
        case 'bool':
          children.push(data(type, start, length, -1, col.bits, col.valid));
          break;
        case 'dict':
          children.push(data(type, start, length, -1, col.codes.subarray(start, end), col.valid, this.dictionary(i, col)));
          break;
      }
    }
    return recordBatch(this.schema, new Data(this.struct, 0, length, 0, STRUCT_BUFFERS, children, undefined, NONE));
  }

  private dictionary(i: number, col: RingColumn & { kind: 'dict' }): Vector<Utf8> {
    const { version, values } = col.dictionary;
    let cached = this.dictionaries[i];
    if (cached?.version !== version) this.dictionaries[i] = cached = { version, vector: utf8Vector(values) };
    return cached.vector;
  }
}

/** A Data as makeData would make it, without its visitor dispatch and per-call defaults. */
function data(type: DataType, offset: number, length: number, nullCount: number, values: ArrayBufferView, validity: Uint8Array, dictionary?: Vector): Data {
  buffers[1] = values;
  buffers[2] = validity;
  const d = new Data(type, offset, length, nullCount, buffers, NONE, dictionary, NONE);
  buffers[1] = undefined; // no view of a ring stays reachable from here
  buffers[2] = NO_NULLS;
  return d;
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

/** What `new RecordBatch` sets on an instance; its metadata (always empty here) is shared by every batch made from it. */
const TEMPLATE = new RecordBatch(new Schema([]), makeData({ type: new Struct([]), length: 0, nullCount: 0, children: [] }));

/**
 * A record batch over `data` whose schema is `schema` itself. arrow-js's constructor re-derives a schema
 * from the children (a new Schema cloning every field) and the Table then compares that copy with its own
 * field by field: ~12 us per batch of 30 columns, wasted on Data made from the schema's own types. The
 * batch gets the fields the constructor sets, copied from TEMPLATE: the single-file build minifies their
 * names. Tested against batches from the constructor (test/store/arrow-view.test.ts).
 */
function recordBatch(schema: Schema, data: Data<Struct>): RecordBatch {
  return Object.assign(Object.create(RecordBatch.prototype) as RecordBatch, TEMPLATE, { schema, data });
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
