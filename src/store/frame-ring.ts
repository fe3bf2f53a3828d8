/**
 * The rows held for one key: a ring of columns with a fixed capacity, in one slab allocated when the
 * key's schema is first seen and reused by every later replace and append with that schema. Row i of
 * the frame (0 = oldest) lives at slot (head + i) mod capacity; Arrow views read the slab in place.
 */
import type { ColumnKind, DecodedColumn, DecodedFrame } from '../protocol/index.js';
import { bitmapBytes, getBit, packBits, setBit } from './bitmap.js';
import { TagDictionary } from './tag-dictionary.js';

interface ColumnBase {
  readonly name: string;
  /** Validity bitmap, one bit per slot. */
  readonly valid: Uint8Array;
}
/** One held column; the variant decides which buffer holds the values. */
export type RingColumn =
  | (ColumnBase & { readonly kind: 'float64'; readonly values: Float64Array })
  | (ColumnBase & { readonly kind: 'int8'; readonly values: Int8Array })
  | (ColumnBase & { readonly kind: 'bool'; /** Bit-packed values, Arrow's Bool layout. */ readonly bits: Uint8Array })
  | (ColumnBase & { readonly kind: 'dict'; readonly codes: Int32Array; readonly dictionary: TagDictionary });

const TWO_32 = 4294967296;
/** Below this many rows a plain loop beats TypedArray.set on a subarray, and allocates no view object. */
const SMALL_COPY = 16;

/** Local dictionary code -> ring code, for the column being copied (grown on demand, reused). */
let remapScratch = new Int32Array(64);

export class FrameRing {
  /** Slot of the oldest row. */
  head = 0;
  rows = 0;
  /** `la` of the frame last stored, as the producer sent it. */
  la = '';
  /** Whether the held dates are known to ascend; if not, dropping rows falls back to a full scan. */
  private ascending = true;

  private constructor(
    readonly capacity: number,
    /** Dates as Arrow's Timestamp(ms) buffer... */
    readonly dates: BigInt64Array,
    /** ...written through 32-bit words, so no BigInt is allocated per row. */
    private readonly dateWords: Int32Array,
    readonly columns: readonly RingColumn[],
    /** Column kinds, handed to the decoder so a key's types stay stable. */
    readonly kinds: ReadonlyMap<string, ColumnKind>,
  ) {}

  /** A ring for `frame`'s schema: one ArrayBuffer carved into 8-byte aligned column buffers. */
  static allocate(capacity: number, frame: DecodedFrame): FrameRing {
    const pad = (bytes: number): number => (bytes + 7) & ~7;
    const bits = bitmapBytes(capacity);
    let total = 8 * capacity;
    for (const c of frame.columns) total += bits + pad(c.kind === 'float64' ? 8 * capacity : c.kind === 'dict' ? 4 * capacity : c.kind === 'int8' ? capacity : bits);
    const slab = new ArrayBuffer(total);
    let at = 0;
    const take = (bytes: number): number => {
      const start = at;
      at += pad(bytes);
      return start;
    };
    const dates = new BigInt64Array(slab, take(8 * capacity), capacity);
    const columns: RingColumn[] = [];
    const kinds = new Map<string, ColumnKind>();
    for (const { name, kind } of frame.columns) {
      const valid = new Uint8Array(slab, take(bits), bits);
      kinds.set(name, kind);
      switch (kind) {
        case 'float64':
          columns.push({ name, kind, valid, values: new Float64Array(slab, take(8 * capacity), capacity) });
          break;
        case 'int8':
          columns.push({ name, kind, valid, values: new Int8Array(slab, take(capacity), capacity) });
          break;
        case 'bool':
          columns.push({ name, kind, valid, bits: new Uint8Array(slab, take(bits), bits) });
          break;
        case 'dict':
          columns.push({ name, kind, valid, codes: new Int32Array(slab, take(4 * capacity), capacity), dictionary: new TagDictionary() });
          break;
      }
    }
    return new FrameRing(capacity, dates, new Int32Array(slab, 0, 2 * capacity), columns, kinds);
  }

  /** Same column names, order and kinds as `frame` (a decoded frame or another ring). */
  sameSchema(frame: { readonly columns: readonly { readonly name: string; readonly kind: ColumnKind }[] }): boolean {
    const cols = frame.columns;
    if (cols.length !== this.columns.length) return false;
    for (let i = 0; i < cols.length; i++) {
      const a = cols[i]!;
      const b = this.columns[i]!;
      if (a.name !== b.name || a.kind !== b.kind) return false;
    }
    return true;
  }

  /** Slot of row i (0 <= i < 2 * capacity - head). */
  slot(i: number): number {
    const s = this.head + i;
    return s < this.capacity ? s : s - this.capacity;
  }

  /**
   * Date of row i, epoch ms. Not for the per-message path: a date is no small integer, so a call that
   * returns one (or takes one) allocates a heap number unless inlined; the hot methods below read the
   * words in place and take frames, not dates.
   */
  date(i: number): number {
    const s = this.slot(i) << 1;
    return this.dateWords[s + 1]! * TWO_32 + (this.dateWords[s]! >>> 0);
  }

  lastDate(): number {
    return this.date(this.rows - 1);
  }

  /** Row i's date compared with `dates[j]`: negative, 0 or positive (NaN when either is NaN). */
  private compareDate(i: number, dates: Float64Array, j: number): number {
    const s = this.slot(i) << 1;
    const d = this.dateWords[s + 1]! * TWO_32 + (this.dateWords[s]! >>> 0) - dates[j]!;
    return d < 0 ? -1 : d > 0 ? 1 : d === 0 ? 0 : NaN;
  }

  /** Holds the last `capacity` rows of `frame` and nothing else, from slot 0 (one Arrow batch). */
  replace(frame: DecodedFrame): void {
    this.head = 0;
    this.rows = 0;
    this.ascending = true;
    this.push(frame);
  }

  /** Appends `frame`'s rows after the held ones, dropping the oldest rows beyond capacity. */
  push(frame: DecodedFrame): void {
    let from = 0;
    let n = frame.rows;
    if (n >= this.capacity) {
      from = n - this.capacity;
      n = this.capacity;
      this.head = 0;
      this.rows = 0;
      this.ascending = true;
    } else if (this.rows + n > this.capacity) {
      const drop = this.rows + n - this.capacity;
      this.head = this.slot(drop);
      this.rows -= drop;
    }
    this.ascending &&= ascends(frame.dates, from, n) && (this.rows === 0 || this.compareDate(this.rows - 1, frame.dates, from) <= 0);
    const at = this.slot(this.rows);
    const n1 = Math.min(n, this.capacity - at);
    writeDates(this.dateWords, at, frame.dates, from, n1);
    writeDates(this.dateWords, 0, frame.dates, from + n1, n - n1);
    for (let c = 0; c < this.columns.length; c++) writeColumn(this.columns[c]!, frame.columns[c]!, at, from, n1, n - n1);
    this.rows += n;
    for (let c = 0; c < this.columns.length; c++) {
      const col = this.columns[c]!; // an indexed loop: for-of allocates an iterator on this per-message path
      // The rows reference at most `capacity` strings; compacting only at twice that keeps the cost
      // amortized over at least `capacity` new strings while bounding the dictionary.
      if (col.kind === 'dict' && col.dictionary.values.length > 2 * this.capacity) this.compactDictionary(col);
    }
  }

  /** Candles from the held last date to `frame`'s first, in timeframes (freqtrade's d). */
  candlesUntil(frame: DecodedFrame, timeframeMs: number): number {
    const s = this.slot(this.rows - 1) << 1;
    return (frame.dates[0]! - (this.dateWords[s + 1]! * TWO_32 + (this.dateWords[s]! >>> 0))) / timeframeMs;
  }

  /**
   * freqtrade's append: keep the held rows dated before `frame`'s first date (`existing[date < first]`),
   * append the frame, keep the last `capacity` rows. freqtrade skips the append when the kept rows end on
   * the frame's last date (only possible for frames whose dates do not ascend); so does this.
   */
  merge(frame: DecodedFrame): void {
    if (this.ascending) {
      while (this.rows > 0 && !(this.compareDate(this.rows - 1, frame.dates, 0) < 0)) this.rows--;
    } else {
      this.keepBeforeUnordered(frame.dates[0]!);
    }
    if (this.rows === 0 || this.compareDate(this.rows - 1, frame.dates, frame.rows - 1) !== 0) this.push(frame);
  }

  /** The general filter, for held dates that do not ascend: moves the kept rows together in order. */
  private keepBeforeUnordered(first: number): void {
    let kept = 0;
    let ascending = true;
    for (let r = 0; r < this.rows; r++) {
      const d = this.date(r);
      if (!(d < first)) continue;
      if (kept > 0 && !(this.date(kept - 1) <= d)) ascending = false;
      if (kept !== r) this.moveRow(this.slot(r), this.slot(kept));
      kept++;
    }
    this.rows = kept;
    this.ascending = ascending;
  }

  private moveRow(from: number, to: number): void {
    this.dateWords[2 * to] = this.dateWords[2 * from]!;
    this.dateWords[2 * to + 1] = this.dateWords[2 * from + 1]!;
    for (const col of this.columns) {
      setBit(col.valid, to, getBit(col.valid, from));
      if (col.kind === 'bool') setBit(col.bits, to, getBit(col.bits, from));
      else if (col.kind === 'dict') col.codes[to] = col.codes[from]!;
      else col.values[to] = col.values[from]!;
    }
  }

  private compactDictionary(col: RingColumn & { kind: 'dict' }): void {
    const used = new Uint8Array(col.dictionary.values.length);
    for (let r = 0; r < this.rows; r++) {
      const s = this.slot(r);
      if (getBit(col.valid, s)) used[col.codes[s]!] = 1;
    }
    const remap = col.dictionary.compact(used);
    for (let r = 0; r < this.rows; r++) {
      const s = this.slot(r);
      col.codes[s] = getBit(col.valid, s) ? remap[col.codes[s]!]! : 0;
    }
  }
}

function ascends(dates: Float64Array, from: number, n: number): boolean {
  for (let i = from + 1; i < from + n; i++) if (!(dates[i - 1]! <= dates[i]!)) return false;
  return true;
}

/** Epoch ms -> little-endian int64 words (exact for every |ms| < 2^53). */
function writeDates(words: Int32Array, at: number, src: Float64Array, from: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const ms = src[from + i]!;
    const hi = Math.floor(ms / TWO_32);
    words[2 * (at + i)] = ms - hi * TWO_32;
    words[2 * (at + i) + 1] = hi;
  }
}

/** Copies rows [from, from + n1 + n2) of `src` to slots [at, at + n1) and then [0, n2). */
function writeColumn(col: RingColumn, src: DecodedColumn, at: number, from: number, n1: number, n2: number): void {
  switch (col.kind) {
    case 'float64':
      copy(col.values, at, src.f64, from, n1);
      copy(col.values, 0, src.f64, from + n1, n2);
      break;
    case 'int8':
      copy(col.values, at, src.i8, from, n1);
      copy(col.values, 0, src.i8, from + n1, n2);
      break;
    case 'bool':
      packBits(col.bits, at, src.i8, from, n1);
      packBits(col.bits, 0, src.i8, from + n1, n2);
      break;
    case 'dict': {
      const local = src.dictionary;
      if (remapScratch.length < local.length) remapScratch = new Int32Array(Math.max(local.length, 2 * remapScratch.length));
      for (let k = 0; k < local.length; k++) remapScratch[k] = col.dictionary.code(local[k]!);
      copyCodes(col.codes, at, src.codes, from, n1);
      copyCodes(col.codes, 0, src.codes, from + n1, n2);
      break;
    }
  }
  packBits(col.valid, at, src.valid, from, n1);
  packBits(col.valid, 0, src.valid, from + n1, n2);
}

function copy<T extends Float64Array | Int8Array>(dst: T, at: number, src: T, from: number, n: number): void {
  if (n < SMALL_COPY) for (let i = 0; i < n; i++) dst[at + i] = src[from + i]!;
  else dst.set(src.subarray(from, from + n), at);
}

/** Local codes -> ring codes through remapScratch; a null row (-1) holds 0, masked by validity. */
function copyCodes(dst: Int32Array, at: number, src: Int32Array, from: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const c = src[from + i]!;
    dst[at + i] = c < 0 ? 0 : remapScratch[c]!;
  }
}
