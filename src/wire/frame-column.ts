import type { ColumnKind, DecodedColumn } from './decoded-frame.js';

/**
 * What a column holds while a message is decoded. Without a hint a column starts as "nothing but nulls so far"
 * and the first value decides; with a hint (or a forced signal column) it starts at that kind. Values are written
 * straight into the array of the current state; the rare change of mind (a signal column that turns out to hold
 * 0.5, a bool column that gets a number) converts the rows written so far.
 */
export const enum State {
  /** Only nulls so far; ends as float64 ('nulls'), dict (tag names) or int8 (signal names). */
  NullF64, NullDict, NullInt8,
  F64, Int8, Bool, Dict,
  /** Values are parsed (to validate them) but not kept: remove_entry_exit_signals fills the column instead. */
  Forced,
}

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

  state: State = State.NullF64;
  /** Whether a hint fixed the kind: a value that does not fit then means "decode again without hints". */
  hinted = false;
  /** Message sequence number that last used this column (columns unused by the latest message are dropped). */
  seen = 0;

  /** dictionary lookups for this message: string -> code, and raw-byte spans (in the current message) -> code. */
  readonly lookup = new Map<string, number>();
  readonly rawStart = new Int32Array(RAW_CACHE);
  readonly rawLen = new Int32Array(RAW_CACHE);
  readonly rawCode = new Int32Array(RAW_CACHE);
  rawCount = 0;

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

  /** Makes sure the array state `s` writes to exists with room for `cap` rows (content kept). */
  prepare(s: State, cap: number): void {
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
   * Moves to state `to` after `rows` rows: from a null state the rows so far are all null; from int8/bool the
   * 0/1 values so far become float64.
   */
  become(to: State, rows: number, cap: number): void {
    const from = this.state;
    this.prepare(to, cap);
    if (from === State.Int8 || from === State.Bool) {
      const f = this.f64, i = this.i8, v = this.valid;
      for (let r = 0; r < rows; r++) f[r] = v[r] === 1 ? i[r]! : NaN;
    } else {
      this.fillNull(to, 0, rows);
    }
    this.state = to;
  }

  /** Writes nulls into rows [from, to) of the array of state `s`. */
  fillNull(s: State, from: number, to: number): void {
    if (s === State.F64) fill(this.f64, NaN, from, to);
    else if (s === State.Int8 || s === State.Bool) fill(this.i8, 0, from, to);
    else if (s === State.Dict) fill(this.codes, -1, from, to);
  }

  /** Ends a message of `rows` rows: settles null-only columns and sets the kind. */
  finish(rows: number, cap: number): void {
    const s = this.state;
    if (s === State.NullF64) this.become(State.F64, rows, cap);
    else if (s === State.NullDict) this.become(State.Dict, rows, cap);
    else if (s === State.NullInt8) this.become(State.Int8, rows, cap);
    this.kind = KIND[this.state]!;
  }

  /** Dictionary code of `s`, adding it on first sight. */
  code(s: string): number {
    let c = this.lookup.get(s);
    if (c === undefined) {
      c = this.dictionary.length;
      this.dictionary.push(s);
      this.lookup.set(s, c);
    }
    return c;
  }

  /** Remembers that the raw bytes [start, start + len) of the current message decode to `code`. */
  remember(start: number, len: number, code: number): void {
    const n = this.rawCount;
    if (n === RAW_CACHE) return;
    this.rawStart[n] = start;
    this.rawLen[n] = len;
    this.rawCode[n] = code;
    this.rawCount = n + 1;
  }
}

const KIND: readonly ColumnKind[] = ['float64', 'dict', 'int8', 'float64', 'int8', 'bool', 'dict', 'float64'];

/** TypedArray#fill, which costs a call into the runtime that a one-row message should not pay. */
export function fill(a: { [i: number]: number; fill(v: number, s: number, e: number): unknown }, v: number, from: number, to: number): void {
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
