/**
 * Test frames: apache-arrow Tables shaped like the store's views (date as Timestamp ms, Float64 numbers with
 * NaN under nulls, Int8 signals, Bool, Dictionary<Utf8, Int32> tags), optionally split into two record batches
 * the way a wrapped ring is.
 */
import {
  Bool, Dictionary, Field, Float64, Int32, Int8, RecordBatch, Schema, Struct, Table, TimestampMillisecond, Utf8,
  makeData, vectorFromArray, type Data, type DataType,
} from 'apache-arrow';
import type { CandleType, PairKey } from '../../src/protocol/index.js';
import type { FrameSource, FrameUpdates } from '../../src/strategy/frame-context.js';

export type ColumnSpec =
  | readonly (number | null)[]
  | { readonly int8: readonly (number | null)[] }
  | { readonly bool: readonly (boolean | null)[] }
  | { readonly dict: readonly (string | null)[] };

export const MIN = 60_000;
export const T0 = Date.UTC(2024, 9, 24, 9, 0);

/** `n` 5-minute candle dates from T0. */
export function dates5m(n: number, start = T0): number[] {
  return Array.from({ length: n }, (_, i) => start + i * 5 * MIN);
}

/** A table of `dates` and `cols`; with `splitAt`, rows [0, splitAt) and [splitAt, n) are separate batches. */
export function frame(dates: readonly number[], cols: Readonly<Record<string, ColumnSpec>>, splitAt?: number): Table {
  const fields: Field[] = [new Field('date', new TimestampMillisecond('UTC'), false)];
  const specs = Object.entries(cols);
  specs.forEach(([name, spec], i) => fields.push(new Field(name, typeOf(spec, i + 1), true)));
  const schema = new Schema(fields);
  const n = dates.length;
  const cuts = splitAt === undefined ? [[0, n]] : [[0, splitAt], [splitAt, n]];
  const batches = cuts.map(([from, to]) => {
    const length = to! - from!;
    const children: Data[] = [makeData({
      type: fields[0]!.type, length, nullCount: 0, data: BigInt64Array.from(dates.slice(from, to).map(BigInt)),
    })];
    specs.forEach(([, spec], i) => children.push(columnData(fields[i + 1]!.type, spec, from!, to!)));
    return new RecordBatch(schema, makeData({ type: new Struct(fields), length, nullCount: 0, children }));
  });
  return new Table(schema, batches);
}

function typeOf(spec: ColumnSpec, id: number): DataType {
  if (Array.isArray(spec)) return new Float64();
  if ('int8' in spec) return new Int8();
  if ('bool' in spec) return new Bool();
  return new Dictionary(new Utf8(), new Int32(), id);
}

function bitmap(values: readonly unknown[]): Uint8Array {
  const b = new Uint8Array(Math.ceil(values.length / 8) + 1);
  values.forEach((v, i) => { if (v !== null) b[i >> 3]! |= 1 << (i & 7); });
  return b;
}

function columnData(type: DataType, spec: ColumnSpec, from: number, to: number): Data {
  const length = to - from;
  if (Array.isArray(spec)) {
    const vals = spec.slice(from, to) as (number | null)[];
    return makeData({ type: type as Float64, length, nullBitmap: bitmap(vals), data: Float64Array.from(vals.map((v) => v ?? NaN)) });
  }
  const s = spec as Exclude<ColumnSpec, readonly (number | null)[]>;
  if ('int8' in s) {
    const vals = s.int8.slice(from, to);
    return makeData({ type: type as Int8, length, nullBitmap: bitmap(vals), data: Int8Array.from(vals.map((v) => v ?? 0)) });
  }
  if ('bool' in s) {
    const vals = s.bool.slice(from, to);
    const bits = new Uint8Array(Math.ceil(length / 8) + 1);
    vals.forEach((v, i) => { if (v === true) bits[i >> 3]! |= 1 << (i & 7); });
    return makeData({ type: type as Bool, length, nullBitmap: bitmap(vals), data: bits });
  }
  const words = [...new Set(s.dict.filter((x): x is string => x !== null))];
  const vals = s.dict.slice(from, to);
  return makeData({
    type: type as Dictionary<Utf8, Int32>, length, nullBitmap: bitmap(vals),
    data: Int32Array.from(vals.map((v) => (v === null ? -1 : words.indexOf(v)))),
    dictionary: vectorFromArray(words, new Utf8()),
  });
}

/** A FrameSource over hand-made tables; `put` stores a table and tells the listeners, as the store does. */
export class TableSource implements FrameSource {
  private readonly tables = new Map<string, Table>();
  private readonly listeners: ((producer: string, key: PairKey) => void)[] = [];
  gets = 0;

  put(producer: string, key: PairKey, table: Table): void {
    this.tables.set(id(producer, key.pair, key.timeframe, key.candleType), table);
    for (const l of this.listeners) l(producer, key);
  }

  producerDf(pair: string, timeframe: string, candleType: CandleType, producer = 'default'): { table: Table; la: string } | undefined {
    this.gets++;
    const table = this.tables.get(id(producer, pair, timeframe, candleType));
    return table === undefined ? undefined : { table, la: '2024-10-24T09:29:03+00:00' };
  }

  /** As the daemon's event stream offers "frame stored" to the runtime. */
  readonly updates: FrameUpdates = (listener) => {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  };
}

function id(producer: string, pair: string, timeframe: string, candleType: string): string {
  return `${producer}|${pair}|${timeframe}|${candleType}`;
}
