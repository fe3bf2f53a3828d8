import type { ColumnKind, DecodedColumn } from '../protocol/index.js';
import { bytesEqual, decodeInnerString, type CharOut } from './escaped-text.js';

/**
 * What a column holds while a message is decoded: its kind so far. It starts at its hint, or without one at the
 * kind its name suggests (signals int8, tags dict, anything else float64), and values go straight into that
 * kind's array. Without a hint the column may change its mind: to any kind while it holds only nulls, and from
 * int8/bool to float64 when other numbers come (the rows so far are converted).
 */
export const enum State {
  F64, Int8, Bool, Dict,
  /** Values are parsed (to validate them) but not kept: remove_entry_exit_signals fills the column instead. */
  Forced,
}

/** What a column says to a value: taken, or refused because it does not fit the hint / mixes text and numbers. */
export const enum Put { Ok, Mismatch, Mixed }

const EMPTY_F64 = new Float64Array(0);
const EMPTY_I8 = new Int8Array(0);
const EMPTY_I32 = new Int32Array(0);
const EMPTY_U8 = new Uint8Array(0);

/** Tag strings remembered by their raw bytes, so a repeated tag costs a byte compare instead of a string. */
const RAW_CACHE = 16;

export class FrameColumn implements DecodedColumn {
  kind: ColumnKind = 'float64';
  f64: Float64Array = EMPTY_F64;
  i8: Int8Array = EMPTY_I8;
  codes: Int32Array = EMPTY_I32;
  dictionary: string[] = [];
  valid: Uint8Array = EMPTY_U8;

  state: State = State.F64;
  /** Whether a hint fixed the kind: a value that does not fit then means "decode again without hints". */
  hinted = false;
  /** Message sequence number that last used this column (columns unused by the latest message are dropped). */
  seen = 0;

  /** dictionary lookups for this message: string -> code, and raw-byte spans (in the current message) -> code. */
  private readonly lookup = new Map<string, number>();
  private readonly rawStart = new Int32Array(RAW_CACHE);
  private readonly rawLen = new Int32Array(RAW_CACHE);
  private readonly rawCode = new Int32Array(RAW_CACHE);
  private rawCount = 0;

  /** signal: one of SIGNAL_COLUMNS (int8 by default); tag: one of TAG_COLUMNS (dict by default). */
  constructor(readonly name: string, readonly signal: boolean, readonly tag: boolean) {}

  /** Starts a message with room for `cap` rows, in the state and hint the decoder has set. */
  begin(cap: number): void {
    this.valid = fit(this.valid, cap, EMPTY_U8, Uint8Array);
    if (this.dictionary.length !== 0) {
      this.dictionary.length = 0;
      this.lookup.clear();
      this.rawCount = 0;
    }
    this.prepare(this.state, cap);
  }

  /** Makes sure the array state `s` writes to exists with room for `cap` rows. */
  private prepare(s: State, cap: number): void {
    if (s === State.F64) this.f64 = fit(this.f64, cap, EMPTY_F64, Float64Array);
    else if (s === State.Int8 || s === State.Bool) this.i8 = fit(this.i8, cap, EMPTY_I8, Int8Array);
    else if (s === State.Dict) this.codes = fit(this.codes, cap, EMPTY_I32, Int32Array);
  }

  /** Grows the arrays in use to `cap` rows, keeping the `rows` already written. */
  grow(cap: number, rows: number): void {
    this.valid = grown(this.valid, cap, rows, Uint8Array);
    const s = this.state;
    if (s === State.F64) this.f64 = grown(this.f64, cap, rows, Float64Array);
    else if (s === State.Int8 || s === State.Bool) this.i8 = grown(this.i8, cap, rows, Int8Array);
    else if (s === State.Dict) this.codes = grown(this.codes, cap, rows, Int32Array);
  }

  /**
   * Moves to state `to` after `rows` rows: int8/bool values so far become float64; otherwise the rows so far are
   * all null (see onlyNulls).
   */
  private become(to: State, rows: number, cap: number): void {
    const from = this.state;
    this.prepare(to, cap);
    if (to === State.F64 && (from === State.Int8 || from === State.Bool)) {
      const f = this.f64, i = this.i8, v = this.valid;
      for (let r = 0; r < rows; r++) f[r] = v[r] === 1 ? i[r]! : NaN;
    } else {
      this.fillNull(to, 0, rows);
    }
    this.state = to;
  }

  /** Whether the first `rows` rows are all null (the column may still become any kind). */
  private onlyNulls(rows: number): boolean {
    const v = this.valid;
    for (let r = 0; r < rows; r++) if (v[r] === 1) return false;
    return true;
  }

  /** Writes nulls into rows [from, to) of the array of state `s`. */
  private fillNull(s: State, from: number, to: number): void {
    if (s === State.F64) fill(this.f64, NaN, from, to);
    else if (s === State.Int8 || s === State.Bool) fill(this.i8, 0, from, to);
    else if (s === State.Dict) fill(this.codes, -1, from, to);
  }

  /** A number at `row` (the inline path of the decoder takes float64 numbers itself). */
  putNumber(row: number, v: number, cap: number): Put {
    let s = this.state;
    const zeroOne = v === 0 || v === 1;
    if (s === State.Forced) return Put.Ok;
    if (s === State.Int8 || s === State.Bool) {
      if (!zeroOne || (s === State.Bool && !this.hinted)) { // numbers in a bool column only when hinted so
        if (this.hinted) return Put.Mismatch;
        this.become((s = State.F64), row, cap); // a signal column with other numbers, a bool column with numbers
      }
    } else if (s === State.Dict) {
      if (this.hinted) return Put.Mismatch;
      if (!this.onlyNulls(row)) return Put.Mixed;
      this.become((s = State.F64), row, cap);
    }
    if (s === State.F64) this.f64[row] = v;
    else this.i8[row] = v;
    this.valid[row] = 1;
    return Put.Ok;
  }

  putBool(row: number, v: number, cap: number): Put {
    let s = this.state;
    if (s === State.Forced) return Put.Ok;
    if (s === State.Dict) {
      if (this.hinted) return Put.Mismatch;
      if (!this.onlyNulls(row)) return Put.Mixed;
      this.become((s = State.Bool), row, cap);
    } else if (s === State.F64 && !this.hinted && this.onlyNulls(row)) {
      this.become((s = State.Bool), row, cap); // a column of booleans (and nulls)
    }
    if (s === State.F64) this.f64[row] = v; // booleans among numbers: 1/0
    else this.i8[row] = v;
    this.valid[row] = 1;
    return Put.Ok;
  }

  putNull(row: number): void {
    this.valid[row] = 0;
    const s = this.state;
    if (s === State.F64) this.f64[row] = NaN;
    else if (s === State.Int8 || s === State.Bool) this.i8[row] = 0;
    else if (s === State.Dict) this.codes[row] = -1;
  }

  /**
   * The string whose content is b[s, e) (checked by innerStringEnd; `plain` from it in ch) at `row`: its
   * dictionary code is found by raw bytes first, so a repeated tag makes no string.
   */
  putString(row: number, b: Buffer, s: number, e: number, ch: CharOut, cap: number): Put {
    const plain = ch.plain;
    let st = this.state;
    if (st === State.Forced) return Put.Ok;
    if (st !== State.Dict) {
      if (this.hinted) return Put.Mismatch;
      if (!this.onlyNulls(row)) return Put.Mixed;
      this.become((st = State.Dict), row, cap);
    }
    const len = e - s;
    let code = -1;
    for (let i = 0; i < this.rawCount; i++) {
      if (this.rawLen[i] === len && bytesEqual(b, s, b, this.rawStart[i]!, len)) {
        code = this.rawCode[i]!;
        break;
      }
    }
    if (code < 0) {
      code = this.code(plain ? b.toString('latin1', s, e) : decodeInnerString(b, s, e, ch));
      this.remember(s, len, code);
    }
    this.codes[row] = code;
    this.valid[row] = 1;
    return Put.Ok;
  }

  /** Ends a message of `rows` rows: the kind is the state reached; remove_entry_exit_signals' columns are filled. */
  finish(rows: number, cap: number): void {
    if (this.state === State.Forced) {
      this.state = this.signal ? State.Int8 : State.Dict;
      this.prepare(this.state, cap);
      this.fillNull(this.state, 0, rows);
      fill(this.valid, this.signal ? 1 : 0, 0, rows); // signals are 0, tags are null
    }
    this.kind = KIND[this.state]!;
  }

  /** Dictionary code of `s`, adding it on first sight. */
  private code(s: string): number {
    let c = this.lookup.get(s);
    if (c === undefined) {
      c = this.dictionary.length;
      this.dictionary.push(s);
      this.lookup.set(s, c);
    }
    return c;
  }

  /** Remembers that the raw bytes [start, start + len) of the current message decode to `code`. */
  private remember(start: number, len: number, code: number): void {
    const n = this.rawCount;
    if (n === RAW_CACHE) return;
    this.rawStart[n] = start;
    this.rawLen[n] = len;
    this.rawCode[n] = code;
    this.rawCount = n + 1;
  }
}

const KIND: readonly ColumnKind[] = ['float64', 'int8', 'bool', 'dict', 'float64'];

/** TypedArray#fill, which costs a call into the runtime that a one-row message should not pay. */
function fill(a: { [i: number]: number; fill(v: number, s: number, e: number): unknown }, v: number, from: number, to: number): void {
  if (to - from > 16) a.fill(v, from, to);
  else for (let i = from; i < to; i++) a[i] = v;
}

type ArrayCtor<T> = new (n: number) => T;

/** `a` when it holds `cap` rows and is not wastefully large (a huge frame once should not pin memory), else a new one. */
function fit<T extends { length: number }>(a: T, cap: number, empty: T, ctor: ArrayCtor<T>): T {
  if (a.length >= cap && (a.length <= 4 * cap || a.length <= 4096)) return a;
  return cap === 0 ? empty : new ctor(cap);
}

function grown<T extends { length: number; set(src: ArrayLike<number>): void; subarray(s: number, e: number): T }>(
  a: T, cap: number, rows: number, ctor: ArrayCtor<T>,
): T {
  if (a.length >= cap) return a;
  const b = new ctor(cap);
  b.set(a.subarray(0, rows) as unknown as ArrayLike<number>);
  return b;
}
