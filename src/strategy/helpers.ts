/**
 * Vectorised helpers for strategies, with freqtrade's (pandas/qtpylib) meanings, over typed arrays:
 * series are Float64Array with NaN for null, conditions are Uint8Array masks of 0/1.
 * A comparison involving NaN is false, as in pandas, so NaN never crosses anything.
 * Every helper returns a new array unless an `out` array of the right length is passed (to reuse buffers).
 */

/** A series or a scalar that stands for a constant series. */
export type Operand = Float64Array | number;
export type Mask = Uint8Array;

function lengthOf(a: Operand, b: Operand): number {
  if (typeof a === 'number') {
    if (typeof b === 'number') throw new TypeError('at least one operand must be a series');
    return b.length;
  }
  if (typeof b !== 'number' && b.length !== a.length) {
    throw new RangeError(`series lengths differ: ${a.length} and ${b.length}`);
  }
  return a.length;
}

function maskOut(n: number, out: Mask | undefined): Mask {
  if (out === undefined) return new Uint8Array(n);
  if (out.length !== n) throw new RangeError(`out has length ${out.length}, expected ${n}`);
  return out;
}

function seriesOut(n: number, out: Float64Array | undefined): Float64Array {
  if (out === undefined) return new Float64Array(n);
  if (out.length !== n) throw new RangeError(`out has length ${out.length}, expected ${n}`);
  return out;
}

/** pandas' `shift(periods)`: values moved `periods` rows later (earlier when negative), NaN where nothing moved in. */
export function shift(a: Float64Array, periods = 1, out?: Float64Array): Float64Array {
  if (!Number.isInteger(periods)) throw new TypeError(`shift periods must be an integer, got ${periods}`);
  const n = a.length;
  const r = seriesOut(n, out);
  if (r === a) throw new RangeError('shift cannot write into its input');
  for (let i = 0; i < n; i++) {
    const j = i - periods;
    r[i] = j >= 0 && j < n ? a[j]! : NaN;
  }
  return r;
}

type Cmp = (x: number, y: number) => boolean;

function compare(a: Operand, b: Operand, cmp: Cmp, out: Mask | undefined): Mask {
  const n = lengthOf(a, b);
  const r = maskOut(n, out);
  const as = typeof a === 'number' ? null : a;
  const bs = typeof b === 'number' ? null : b;
  const ac = as === null ? (a as number) : 0;
  const bc = bs === null ? (b as number) : 0;
  for (let i = 0; i < n; i++) r[i] = cmp(as === null ? ac : as[i]!, bs === null ? bc : bs[i]!) ? 1 : 0;
  return r;
}

const GT: Cmp = (x, y) => x > y;
const LT: Cmp = (x, y) => x < y;
const GE: Cmp = (x, y) => x >= y;
const LE: Cmp = (x, y) => x <= y;
const EQ: Cmp = (x, y) => x === y;

/** a > b */
export function gt(a: Operand, b: Operand, out?: Mask): Mask {
  return compare(a, b, GT, out);
}
/** a < b */
export function lt(a: Operand, b: Operand, out?: Mask): Mask {
  return compare(a, b, LT, out);
}
/** a >= b */
export function ge(a: Operand, b: Operand, out?: Mask): Mask {
  return compare(a, b, GE, out);
}
/** a <= b */
export function le(a: Operand, b: Operand, out?: Mask): Mask {
  return compare(a, b, LE, out);
}
/** a == b (NaN equals nothing) */
export function eq(a: Operand, b: Operand, out?: Mask): Mask {
  return compare(a, b, EQ, out);
}

/**
 * qtpylib's crossed_above: `a > b` on a row and `a <= b` on the row before. Never on the first row, and
 * never where either side is NaN on either row.
 */
export function crossed_above(a: Operand, b: Operand, out?: Mask): Mask {
  return crossed(a, b, GT, LE, out);
}

/** qtpylib's crossed_below: `a < b` on a row and `a >= b` on the row before. */
export function crossed_below(a: Operand, b: Operand, out?: Mask): Mask {
  return crossed(a, b, LT, GE, out);
}

function crossed(a: Operand, b: Operand, now: Cmp, before: Cmp, out: Mask | undefined): Mask {
  const n = lengthOf(a, b);
  const r = maskOut(n, out);
  if (n === 0) return r;
  r[0] = 0;
  const as = typeof a === 'number' ? null : a;
  const bs = typeof b === 'number' ? null : b;
  const ac = as === null ? (a as number) : 0;
  const bc = bs === null ? (b as number) : 0;
  for (let i = 1; i < n; i++) {
    const x = as === null ? ac : as[i]!;
    const y = bs === null ? bc : bs[i]!;
    const px = as === null ? ac : as[i - 1]!;
    const py = bs === null ? bc : bs[i - 1]!;
    r[i] = now(x, y) && before(px, py) ? 1 : 0;
  }
  return r;
}

/** `a > a.shift(periods)`: the series went up over `periods` rows. */
export function rising(a: Float64Array, periods = 1, out?: Mask): Mask {
  return against(a, periods, GT, out);
}

/** `a < a.shift(periods)`: the series went down over `periods` rows. */
export function falling(a: Float64Array, periods = 1, out?: Mask): Mask {
  return against(a, periods, LT, out);
}

function against(a: Float64Array, periods: number, cmp: Cmp, out: Mask | undefined): Mask {
  if (!Number.isInteger(periods) || periods < 1) throw new TypeError(`periods must be a positive integer, got ${periods}`);
  const n = a.length;
  const r = maskOut(n, out);
  for (let i = 0; i < n; i++) r[i] = i >= periods && cmp(a[i]!, a[i - periods]!) ? 1 : 0;
  return r;
}

/** Rows where every mask is set (pandas `&`). */
export function and(first: Mask, ...rest: Mask[]): Mask {
  const r = new Uint8Array(first);
  for (const m of rest) {
    if (m.length !== r.length) throw new RangeError(`mask lengths differ: ${r.length} and ${m.length}`);
    for (let i = 0; i < r.length; i++) r[i] = r[i]! & m[i]!;
  }
  return r;
}

/** Rows where any mask is set (pandas `|`). */
export function or(first: Mask, ...rest: Mask[]): Mask {
  const r = new Uint8Array(first);
  for (const m of rest) {
    if (m.length !== r.length) throw new RangeError(`mask lengths differ: ${r.length} and ${m.length}`);
    for (let i = 0; i < r.length; i++) r[i] = r[i]! | m[i]!;
  }
  return r;
}

/** Rows where the mask is not set (pandas `~`; note `not(gt(NaN, x))` is 1, as in pandas). */
export function not(m: Mask, out?: Mask): Mask {
  const r = maskOut(m.length, out);
  for (let i = 0; i < m.length; i++) r[i] = m[i] === 0 ? 1 : 0;
  return r;
}

/** Rows where the series is null (NaN). */
export function isnull(a: Float64Array, out?: Mask): Mask {
  const r = maskOut(a.length, out);
  for (let i = 0; i < a.length; i++) r[i] = Number.isNaN(a[i]!) ? 1 : 0;
  return r;
}

/** Rows where the series has a value. */
export function notnull(a: Float64Array, out?: Mask): Mask {
  const r = maskOut(a.length, out);
  for (let i = 0; i < a.length; i++) r[i] = Number.isNaN(a[i]!) ? 0 : 1;
  return r;
}
