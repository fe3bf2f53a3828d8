/**
 * Reading the store's Arrow columns as contiguous typed arrays, without copying when possible.
 *
 * A key's table is one record batch, or two when its ring buffer has wrapped. Rows of a Float64 column that
 * lie in one batch are handed out as a view of Arrow's own buffer; rows spanning both batches, and columns
 * of other types (Int8 signals, Bool, timestamps), are converted into a reused scratch buffer.
 */
import { Type, type Data, type Vector } from 'apache-arrow';

/** A growable Float64Array reused across evaluations, so copies do not allocate once warmed up. */
export class Scratch {
  private buf = new Float64Array(0);

  /** A view of `n` elements; its content is overwritten by the next take(). */
  take(n: number): Float64Array {
    if (this.buf.length < n) this.buf = new Float64Array(Math.max(n, this.buf.length * 2, 16));
    return this.buf.subarray(0, n);
  }
}

/** Whether a column can be read as numbers (float, int, bool, timestamp); text columns cannot. */
export function isNumericColumn(v: Vector): boolean {
  const t = v.type.typeId;
  return t === Type.Float || t === Type.Int || t === Type.Bool || t === Type.Timestamp;
}

/**
 * Rows [start, start + n) of a numeric column as one Float64Array, nulls as NaN. A view of the Arrow buffer
 * when the rows are Float64 in one batch (the store keeps NaN under nulls), otherwise a copy into `scratch`.
 */
export function numericRows(v: Vector, start: number, n: number, scratch: Scratch): Float64Array {
  let chunkStart = 0;
  let out: Float64Array | null = null;
  for (const d of v.data) {
    const chunkEnd = chunkStart + d.length;
    const from = Math.max(start, chunkStart);
    const to = Math.min(start + n, chunkEnd);
    if (from < to) {
      const local = from - chunkStart;
      if (out === null && to - from === n && d.type.typeId === Type.Float && d.values instanceof Float64Array) {
        return (d.values as Float64Array).subarray(local, local + n);
      }
      out ??= scratch.take(n);
      copyNumeric(d, local, to - from, out, from - start);
    }
    chunkStart = chunkEnd;
  }
  if (out === null) {
    if (n === 0) return scratch.take(0);
    throw new RangeError(`rows ${start}..${start + n} are outside the column's ${v.length} rows`);
  }
  return out;
}

function copyNumeric(d: Data, local: number, count: number, out: Float64Array, at: number): void {
  const t = d.type.typeId;
  const values = d.values as ArrayLike<number | bigint> & { [i: number]: number | bigint };
  const bitmap = d.nullCount > 0 ? d.nullBitmap : undefined;
  for (let i = 0; i < count; i++) {
    const row = local + i;
    if (bitmap !== undefined && !bitSet(bitmap, d.offset + row)) {
      out[at + i] = NaN;
    } else if (t === Type.Bool) {
      out[at + i] = bitSet(values as Uint8Array, d.offset + row) ? 1 : 0;
    } else {
      out[at + i] = Number(values[row]!);
    }
  }
}

function bitSet(bitmap: Uint8Array, bit: number): boolean {
  return (bitmap[bit >> 3]! & (1 << (bit & 7))) !== 0;
}

/** One cell as a number: NaN for null, 1/0 for booleans, text -> NaN. */
export function numberAt(v: Vector, row: number): number {
  const x: unknown = v.get(row);
  if (typeof x === 'number') return x;
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'bigint') return Number(x);
  return NaN;
}

/** One cell as text: the string, or null for null and for non-text columns. */
export function textAt(v: Vector, row: number): string | null {
  const x: unknown = v.get(row);
  return typeof x === 'string' ? x : null;
}
