/**
 * The text pandas 1.5 writes for `DataFrame.to_json(orient="split")` with its defaults (double_precision=10,
 * ensure_ascii=True), reproduced byte for byte: freqtrade's producer sends exactly this inside every frame.
 *
 * Floats follow pandas' vendored ujson encoder (a modp_dtoa variant): fixed notation with at most 10 rounded
 * decimals, trailing zeros trimmed but one kept, and C's `%.10g` above 1e16 or below 1e-15.
 */

/** How a column's cells are written: pandas dtypes float64, int64, bool and object (strings/None). */
export type CellFormat = 'float' | 'int' | 'bool' | 'str';

const PRECISION_POW10 = 1e10;
// pandas compares against (double)1e16 - 1, which rounds to 1e16 itself: 1e16 is still written in full.
const FIXED_MAX = 1e16;
const FIXED_MIN = 1e-15;

/** A float64 cell: `1.0`, `0.1234567891`, `1.5e+16`, `1e-16`; NaN and ±Infinity are `null`. */
export function formatFloat(value: number): string {
  if (value !== value || value === Infinity || value === -Infinity) return 'null';
  let neg = false;
  let v = value;
  if (v < 0) {
    neg = true;
    v = -v;
  }
  if (v > FIXED_MAX || (v !== 0 && v < FIXED_MIN)) return formatExponent(value);
  // The same double arithmetic as the C code, so ties and near-ties round the same way.
  let whole = Math.trunc(v);
  const tmp = (v - whole) * PRECISION_POW10;
  let frac = Math.trunc(tmp);
  const diff = tmp - frac;
  if (diff > 0.5) frac++;
  else if (diff === 0.5 && (frac === 0 || frac % 2 === 1)) frac++;
  if (frac >= PRECISION_POW10) {
    frac = 0;
    whole++;
  }
  let text: string;
  if (frac === 0) {
    text = `${whole}.0`;
  } else {
    // The 10 decimals as two 5-digit halves: small integers become text much faster than 1e10-sized ones.
    const hi = Math.floor(frac / 1e5);
    const lo = frac - hi * 1e5;
    const digits = lo === 0 ? fiveDigits(hi) : fiveDigits(hi) + fiveDigits(lo);
    let end = digits.length;
    while (digits.charCodeAt(end - 1) === 0x30) end--;
    text = `${whole}.${digits.slice(0, end)}`;
  }
  // A negative value that rounds to zero keeps its sign (`-0.0`); -0.0 itself does not (it is not < 0).
  return neg ? `-${text}` : text;
}

const ZEROS = '00000';

/** An integer 0 <= n < 1e5 as exactly five digits. */
function fiveDigits(n: number): string {
  const s = `${n}`;
  return ZEROS.slice(s.length) + s;
}

/** C's `%.10g` for the exponent range: 10 significant digits, zeros trimmed, exponent with sign and 2+ digits. */
function formatExponent(value: number): string {
  const abs = Math.abs(value);
  let mantissa: string;
  let exponent: number;
  if (abs > FIXED_MAX) {
    // Doubles this large are integers; round their exact digits half-to-even as glibc does
    // (toPrecision rounds exact ties up).
    const digits = BigInt(abs).toString();
    exponent = digits.length - 1;
    let head = digits.slice(0, 10);
    const rest = digits.slice(10);
    const half = '5'.padEnd(rest.length, '0');
    const lastOdd = (head.charCodeAt(9) & 1) === 1;
    if (rest > half || (rest === half && lastOdd)) {
      head = (BigInt(head) + 1n).toString();
      if (head.length > 10) {
        head = head.slice(0, 10);
        exponent++;
      }
    }
    mantissa = head;
  } else {
    // Below 1e-15 a double's exact decimal expansion is far longer than 11 digits: no exact ties exist.
    const p = abs.toPrecision(10);
    const e = p.indexOf('e');
    mantissa = p.slice(0, e).replace('.', '');
    exponent = Number(p.slice(e + 1));
  }
  const trimmed = mantissa.replace(/0+$/, '');
  const body = trimmed.length > 1 ? `${trimmed[0]}.${trimmed.slice(1)}` : trimmed;
  const expAbs = Math.abs(exponent);
  const exp = `e${exponent < 0 ? '-' : '+'}${expAbs < 10 ? '0' : ''}${expAbs}`;
  return `${value < 0 ? '-' : ''}${body}${exp}`;
}

const HEX = '0123456789abcdef';
const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0c: '\\f',
  0x0d: '\\r',
  0x22: '\\"',
  0x2f: '\\/',
  0x5c: '\\\\',
};
// Characters ujson writes as they are: printable ASCII except " / \ (DEL included).
const PLAIN = /^[\x20-\x21\x23-\x2e\x30-\x5b\x5d-\x7f]*$/;

/** A string cell or column name, quoted: `/` as `\/`, control and non-ASCII characters as `\uXXXX` (lowercase hex). */
export function formatString(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const short = SHORT_ESCAPES[c];
    if (short !== undefined) out += short;
    else if (c < 0x20 || c > 0x7f) out += `\\u${HEX[c >> 12]}${HEX[(c >> 8) & 15]}${HEX[(c >> 4) & 15]}${HEX[c & 15]}`;
    else out += s[i];
  }
  return `${out}"`;
}

/** One cell in its column's format; null, undefined and NaN are `null` in every format. */
export function formatCell(format: CellFormat, value: number | string | boolean | null | undefined): string {
  if (value === null || value === undefined) return 'null';
  switch (format) {
    case 'float':
      return formatFloat(Number(value));
    case 'int':
      return Number.isFinite(value) ? `${Math.trunc(Number(value))}` : 'null';
    case 'bool':
      return value === true || value === 1 ? 'true' : 'false';
    case 'str':
      return formatString(String(value));
  }
}

/** The split document around already formatted parts: `{"columns":[..],"index":[..],"data":[..]}`. */
export function splitJson(columns: string, index: string, rows: string): string {
  return `{"columns":[${columns}],"index":[${index}],"data":[${rows}]}`;
}
