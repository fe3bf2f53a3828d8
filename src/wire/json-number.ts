/**
 * A JSON number scanner over raw bytes that yields exactly the double JSON.parse would (correct rounding).
 *
 * Fast path (Clinger): a mantissa below 2^53 is an exact double, and so is 10^k for k <= 22, so one IEEE
 * multiplication or division of the two rounds correctly. Everything else (long
 * mantissas, large exponents) is handed to Number() on the validated text, which rounds correctly too.
 */

/** Where a scan puts its value, so the hot path allocates nothing. */
export interface NumberOut {
  value: number;
}

const POW10 = new Float64Array(23);
for (let i = 0, x = 1; i < 23; i++, x *= 10) POW10[i] = x;

const TWO_53 = 2 ** 53;

/**
 * Scans the JSON number starting at `p` (grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?) and returns
 * the position after it with its value in `out.value`, or -1 when the text there is not a JSON number. The
 * value may be ±Infinity for out-of-range text (1e400); the caller decides whether that is acceptable.
 */
export function scanNumber(b: Buffer, p: number, end: number, out: NumberOut): number {
  const start = p;
  const neg = p < end && b[p] === 0x2d;
  if (neg) p++;
  if (p >= end) return -1;
  let d = b[p]! - 0x30;
  if (d >>> 0 > 9) return -1;
  p++;
  // Digits go into a small integer `lo` (int32 arithmetic, no float latency chain), 9 at a time into `hi`.
  let hi = 0;
  let lo = d;
  let nlo = 1;
  if (d !== 0) {
    while (p < end && (d = b[p]! - 0x30) >>> 0 <= 9) {
      if (nlo === 9) { hi = hi * 1e9 + lo; lo = 0; nlo = 0; }
      lo = lo * 10 + d;
      nlo++;
      p++;
    }
  }
  let scale = 0; // digits after the point
  if (p < end && b[p] === 0x2e) {
    const f = ++p;
    while (p < end && (d = b[p]! - 0x30) >>> 0 <= 9) {
      if (nlo === 9) { hi = hi * 1e9 + lo; lo = 0; nlo = 0; }
      lo = lo * 10 + d;
      nlo++;
      p++;
    }
    scale = p - f;
    if (scale === 0) return -1;
  }
  let exp = 0;
  if (p < end && (b[p] === 0x65 || b[p] === 0x45)) {
    p++;
    let expNeg = false;
    if (p < end && (b[p] === 0x2b || b[p] === 0x2d)) expNeg = b[p++] === 0x2d;
    const f = p;
    while (p < end && (d = b[p]! - 0x30) >>> 0 <= 9) {
      if (exp < 100_000) exp = exp * 10 + d; // beyond this only Number() matters (0 or Infinity)
      p++;
    }
    if (p === f) return -1;
    if (expNeg) exp = -exp;
  }

  // Every partial sum is at most the final one, so a result below 2^53 means no step rounded: m is exact.
  const m = hi === 0 ? lo : hi * POW10[nlo]! + lo;
  if (m < TWO_53) {
    const pw = exp - scale;
    if (pw >= 0 && pw <= 22) {
      out.value = neg ? -(m * POW10[pw]!) : m * POW10[pw]!;
      return p;
    }
    if (pw < 0 && pw >= -22) {
      out.value = neg ? -(m / POW10[-pw]!) : m / POW10[-pw]!;
      return p;
    }
  }
  out.value = Number(b.toString('latin1', start, p));
  return p;
}

/** Whether b[p, q), a scanned number, is an integer literal outside int64/uint64, which pandas refuses ("Value is too big"). */
export function integerBeyond64Bits(b: Buffer, p: number, q: number): boolean {
  const t = b.toString('latin1', p, q);
  if (/[.eE]/.test(t)) return false;
  const neg = t.charCodeAt(0) === 0x2d;
  const digits = neg ? t.slice(1) : t;
  const limit = neg ? '9223372036854775808' : '18446744073709551615';
  return digits.length > limit.length || (digits.length === limit.length && digits > limit);
}
