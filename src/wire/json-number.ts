/**
 * A JSON number scanner over raw bytes that yields exactly the double JSON.parse would (correct rounding).
 *
 * Fast path (Clinger): a mantissa below 2^53 is an exact double, and so is 10^k for k <= 22, so one IEEE
 * multiplication or division of the two rounds correctly. Everything else (long mantissas, large exponents) is
 * handed to Number() on the validated text, which rounds correctly too.
 */

/**
 * Where a scan puts its value, so the hot path allocates nothing. A class and not a `{ value }` literal: every
 * object literal with one `value` key shares one hidden class across the process, and once any of them (a SQLite
 * row, say) holds a non-number there, V8 boxes each double written into it: 508 KB of heap numbers per full frame
 * and 50 more minor GCs per 100 frames, measured.
 */
export class NumberOut {
  value = 0;
}

const POW10 = new Float64Array(23);
for (let i = 0, x = 1; i < 23; i++, x *= 10) POW10[i] = x;

const TWO_53 = 2 ** 53;

/**
 * Scans the JSON number starting at `p` (grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?) and returns
 * the position after it with its value in `out.value`, or -1 when the text there is not a JSON number. The
 * value may be ±Infinity for out-of-range text (1e400); the caller decides whether that is acceptable.
 * This part is kept small so it inlines into the decoding loop: pandas' plain decimals. Exponents, leading
 * zeros, long mantissas and malformed text go on to scanFully.
 */
export function scanNumber(b: Buffer, p: number, end: number, out: NumberOut): number {
  const start = p;
  const neg = p < end && b[p] === 0x2d;
  if (neg) p++;
  const first = p;
  // m * 10 + d is exact while the result stays below 2^53; once a step would round, m ends >= 2^53 and the
  // slow path takes over. So m < 2^53 at the end means m is the exact mantissa.
  let m = 0;
  let d = 0;
  while (p < end && (d = b[p]! - 0x30) >>> 0 <= 9) {
    m = m * 10 + d;
    p++;
  }
  const digits = p - first;
  let scale = 0;
  if (p < end && b[p] === 0x2e) {
    const f = ++p;
    // two digits a step: half the multiply-add latency chain on the usual 10 decimals
    let d2 = 0;
    while (p + 1 < end && (d = b[p]! - 0x30) >>> 0 <= 9 && (d2 = b[p + 1]! - 0x30) >>> 0 <= 9) {
      m = m * 100 + (d * 10 + d2);
      p += 2;
    }
    if (p < end && (d = b[p]! - 0x30) >>> 0 <= 9) {
      m = m * 10 + d;
      p++;
    }
    scale = p - f;
  }
  if (digits === 0 || (digits > 1 && b[first] === 0x30) || (p < end && (b[p]! | 0x20) === 0x65) || b[p - 1] === 0x2e
    || m >= TWO_53 || scale > 22) {
    return scanFully(b, start, end, out);
  }
  const v = scale === 0 ? m : m / POW10[scale]!;
  out.value = neg ? -v : v;
  return p;
}

/** Any JSON number: the grammar checked in full, Clinger's fast path where it is exact, else Number(). */
function scanFully(b: Buffer, p: number, end: number, out: NumberOut): number {
  const start = p;
  if (p < end && b[p] === 0x2d) p++;
  let m = 0;
  if (p < end && b[p] === 0x30) p++;
  else if (p < end && b[p]! >= 0x31 && b[p]! <= 0x39) {
    while (p < end && isDigit(b[p]!)) m = m * 10 + (b[p++]! - 0x30);
  } else return -1;
  let scale = 0;
  if (p < end && b[p] === 0x2e) {
    const f = ++p;
    while (p < end && isDigit(b[p]!)) m = m * 10 + (b[p++]! - 0x30);
    if ((scale = p - f) === 0) return -1;
  }
  let exp = 0;
  if (p < end && (b[p]! | 0x20) === 0x65) {
    p++;
    const sign = p < end && (b[p] === 0x2b || b[p] === 0x2d) ? b[p++] : 0x2b;
    const f = p;
    while (p < end && isDigit(b[p]!)) {
      if (exp < 100_000) exp = exp * 10 + (b[p]! - 0x30); // beyond this only Number() matters (0 or Infinity)
      p++;
    }
    if (p === f) return -1;
    if (sign === 0x2d) exp = -exp;
  }
  const pw = exp - scale;
  if (m < TWO_53 && pw >= -22 && pw <= 22) {
    const v = pw >= 0 ? m * POW10[pw]! : m / POW10[-pw]!;
    out.value = b[start] === 0x2d ? -v : v;
  } else {
    out.value = Number(b.toString('latin1', start, p));
  }
  return p;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
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
