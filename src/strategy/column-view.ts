/**
 * Reading the store's Arrow tables as contiguous typed arrays, without copying when possible.
 *
 * A key's table is one record batch, or two when its ring buffer has wrapped. Rows of a Float64 column that
 * lie in one batch are handed out as a view of Arrow's own buffer; rows spanning both batches, and columns
 * of other types (Int8 signals, Bool, timestamps), are converted into a reused scratch buffer.
 *
 * Columns are addressed by schema index and read from the batches' Data directly: arrow-js's getChild() and
 * Vector.get() build objects and dispatch through visitors on every call, which cost more than the reads.
 */
import type { Data, Schema, Table } from 'apache-arrow';
import { Type } from '../store/index.js';

/** A growable Float64Array reused across evaluations, so copies do not allocate once warmed up. */
export class Scratch {
  private buf = new Float64Array(0);

  /** A view of `n` elements; its content is overwritten by the next take(). */
  take(n: number): Float64Array {
    if (this.buf.length < n) this.buf = new Float64Array(Math.max(n, this.buf.length * 2, 16));
    return this.buf.subarray(0, n);
  }
}

/** Per schema (the store keeps one per key until its columns change): column name -> index. */
const indexes = new WeakMap<Schema, Map<string, number>>();

/** A column's index in the table's schema, or -1. */
export function columnIndex(table: Table, name: string): number {
  let byName = indexes.get(table.schema);
  if (byName === undefined) {
    byName = new Map(table.schema.fields.map((f, i) => [f.name, i]));
    indexes.set(table.schema, byName);
  }
  return byName.get(name) ?? -1;
}

/** Whether a column reads as numbers (float, int, bool, timestamp); text columns do not. */
export function isNumericColumn(table: Table, col: number): boolean {
  const t = table.schema.fields[col]!.type.typeId;
  return t === Type.Float || t === Type.Int || t === Type.Bool || t === Type.Timestamp;
}

/**
 * Rows [start, start + n) of a numeric column as one Float64Array, nulls as NaN. A view of the Arrow buffer
 * when the rows are Float64 in one batch (the store keeps NaN under nulls), otherwise a copy into `scratch`.
 */
export function numericRows(table: Table, col: number, start: number, n: number, scratch: Scratch): Float64Array {
  const batches = table.batches;
  let chunkStart = 0;
  let out: Float64Array | null = null;
  for (let b = 0; b < batches.length; b++) {
    const d = batches[b]!.data.children[col]!;
    const chunkEnd = chunkStart + d.length;
    const from = Math.max(start, chunkStart);
    const to = Math.min(start + n, chunkEnd);
    if (from < to) {
      const local = from - chunkStart;
      if (out === null && to - from === n && d.values instanceof Float64Array) return d.values.subarray(local, local + n);
      out ??= scratch.take(n);
      for (let i = 0; i < to - from; i++) out[from - start + i] = cell(d, local + i);
    }
    chunkStart = chunkEnd;
  }
  if (out === null) {
    if (n === 0) return scratch.take(0);
    throw new RangeError(`rows ${start}..${start + n} are outside the table's ${table.numRows} rows`);
  }
  return out;
}

/** One cell as a number: NaN for null and for text, 1/0 for booleans. */
export function numberAt(table: Table, col: number, row: number): number {
  const batches = table.batches;
  let local = row;
  for (let b = 0; b < batches.length; b++) {
    const d = batches[b]!.data.children[col]!;
    if (local < d.length) return cell(d, local);
    local -= d.length;
  }
  return NaN;
}

/** One cell as text: the string, or null for null and for columns that are not text. */
export function textAt(table: Table, col: number, row: number): string | null {
  const batches = table.batches;
  let local = row;
  for (let b = 0; b < batches.length; b++) {
    const d = batches[b]!.data.children[col]!;
    if (local < d.length) {
      const x: unknown = d.typeId === Type.Dictionary ? dictionaryCell(d, local) : batches[b]!.getChildAt(col)?.get(local);
      return typeof x === 'string' ? x : null;
    }
    local -= d.length;
  }
  return null;
}

/** Dictionary values as JS values, per dictionary vector (the store keeps one per tag column until its strings change). */
const dictionaryValues = new WeakMap<object, unknown[]>();

/** A dictionary-encoded cell without getChildAt's Vector and get()'s decoding per read. */
function dictionaryCell(d: Data, i: number): unknown {
  const dictionary = d.dictionary;
  if (dictionary === undefined || isNull(d, i)) return null;
  let values = dictionaryValues.get(dictionary);
  if (values === undefined) dictionaryValues.set(dictionary, (values = [...dictionary]));
  return values[Number((d.values as ArrayLike<number | bigint>)[i])];
}

function isNull(d: Data, i: number): boolean {
  const bitmap = d.nullBitmap;
  return bitmap !== undefined && bitmap.length > 0 && !bitSet(bitmap, d.offset + i);
}

function cell(d: Data, i: number): number {
  if (isNull(d, i)) return NaN;
  switch (d.typeId) {
    case Type.Float:
    case Type.Int:
    case Type.Timestamp:
      return Number((d.values as ArrayLike<number | bigint>)[i]!);
    case Type.Bool:
      return bitSet(d.values as Uint8Array, d.offset + i) ? 1 : 0;
    default:
      return NaN;
  }
}

function bitSet(bitmap: Uint8Array, bit: number): boolean {
  return (bitmap[bit >> 3]! & (1 << (bit & 7))) !== 0;
}
