/**
 * Reading a JSON document that is still escaped as the content of an outer JSON string (the frame text of an
 * analyzed_df message), without unescaping it first. Each character of the inner document is either one raw
 * byte or an outer escape: `\"` is an inner quote, `\\` an inner backslash, `\n` an inner newline, `\u00fc` one
 * UTF-16 unit. Inner strings therefore open and close with `\"`, and an inner escape such as `\/` arrives as
 * `\\/`. Numbers and literals are read as raw bytes by the frame decoder; strings and structure go through here.
 */

/** Out-parameters of a read, so the per-cell path allocates nothing. */
export interface CharOut {
  /** Code of the inner character (a byte below 0x80, a raw UTF-8 byte, or a UTF-16 unit); -1 when invalid. */
  code: number;
  /** Outer bytes it took. */
  width: number;
  /** innerStringEnd: whether the string is plain printable ASCII without escapes (decodable as latin1). */
  plain: boolean;
}

export function charOut(): CharOut {
  return { code: 0, width: 1, plain: true };
}

const BACKSLASH = 0x5c;
const QUOTE = 0x22;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** The character an outer escape at `p` (b[p] is a backslash) stands for. */
function outerEscape(b: Buffer, p: number, end: number, out: CharOut): void {
  out.width = 2;
  out.code = -1;
  if (p + 1 >= end) return;
  switch (b[p + 1]) {
    case 0x22: out.code = 0x22; return;
    case 0x5c: out.code = 0x5c; return;
    case 0x2f: out.code = 0x2f; return;
    case 0x62: out.code = 0x08; return;
    case 0x66: out.code = 0x0c; return;
    case 0x6e: out.code = 0x0a; return;
    case 0x72: out.code = 0x0d; return;
    case 0x74: out.code = 0x09; return;
    case 0x75: {
      if (p + 6 > end) return;
      const h = (hexValue(b[p + 2]!) << 12) | (hexValue(b[p + 3]!) << 8) | (hexValue(b[p + 4]!) << 4) | hexValue(b[p + 5]!);
      if (h >= 0) {
        out.code = h;
        out.width = 6;
      }
      return;
    }
  }
}

/** The inner character at `p` (p < end). */
export function innerChar(b: Buffer, p: number, end: number, out: CharOut): number {
  const c = b[p]!;
  if (c !== BACKSLASH) {
    out.code = c;
    out.width = 1;
    return c;
  }
  outerEscape(b, p, end, out);
  return out.code;
}

/** Skips one inner escape sequence whose inner backslash has been consumed; returns the position after it, or -1. */
function skipInnerEscape(b: Buffer, p: number, end: number, out: CharOut): number {
  if (p >= end) return -1;
  const e = innerChar(b, p, end, out);
  p += out.width;
  switch (e) {
    case 0x22: case 0x5c: case 0x2f: case 0x62: case 0x66: case 0x6e: case 0x72: case 0x74:
      return p;
    case 0x75:
      for (let i = 0; i < 4; i++) {
        if (p >= end || hexValue(innerChar(b, p, end, out)) < 0) return -1;
        p += out.width;
      }
      return p;
    default:
      return -1;
  }
}

/**
 * Finds the end of the inner string whose content starts at `p` (just after its opening `\"`), checking its
 * escapes on the way. Returns the position of the closing quote (out.width = its width in outer bytes, out.plain
 * = whether the content is plain ASCII), or -1 when the string is malformed or unterminated.
 */
export function innerStringEnd(b: Buffer, p: number, end: number, out: CharOut): number {
  let plain = true;
  for (;;) {
    if (p >= end) return -1;
    let c = b[p]!;
    let w = 1;
    if (c === BACKSLASH) {
      outerEscape(b, p, end, out);
      c = out.code;
      w = out.width;
      if (c === QUOTE) {
        out.plain = plain;
        return p;
      }
      plain = false;
    } else if (c >= 0x80) {
      plain = false;
    }
    if (c < 0x20) return -1; // raw control characters are not allowed in a JSON string (and -1 = bad escape)
    p += w;
    if (c === BACKSLASH) {
      p = skipInnerEscape(b, p, end, out);
      if (p < 0) return -1;
    }
  }
}

let units = new Uint16Array(256);

function push(n: number, unit: number): number {
  if (n === units.length) {
    const bigger = new Uint16Array(units.length * 2);
    bigger.set(units);
    units = bigger;
  }
  units[n] = unit;
  return n + 1;
}

/** Length of the UTF-8 sequence starting with byte `c` at p and its code point, or 0 when it is not valid. */
function utf8Point(b: Buffer, p: number, end: number, c: number, out: CharOut): number {
  let len: number;
  let cp: number;
  if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
  else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
  else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
  else return 0;
  if (p + len > end) return 0;
  for (let i = 1; i < len; i++) {
    const k = b[p + i]!;
    if ((k & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (k & 0x3f);
  }
  if ((len === 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len === 4 && (cp < 0x10000 || cp > 0x10ffff))) return 0;
  out.code = cp;
  return len;
}

/** Decodes the content [s, e) of an inner string that innerStringEnd has accepted. */
export function decodeInnerString(b: Buffer, s: number, e: number, out: CharOut): string {
  let n = 0;
  let p = s;
  while (p < e) {
    let c = b[p]!;
    if (c === BACKSLASH) {
      c = innerChar(b, p, e, out);
      p += out.width;
      if (c === BACKSLASH) {
        const k = innerChar(b, p, e, out);
        p += out.width;
        switch (k) {
          case 0x62: c = 0x08; break;
          case 0x66: c = 0x0c; break;
          case 0x6e: c = 0x0a; break;
          case 0x72: c = 0x0d; break;
          case 0x74: c = 0x09; break;
          case 0x75:
            c = 0;
            for (let i = 0; i < 4; i++) {
              c = (c << 4) | hexValue(innerChar(b, p, e, out));
              p += out.width;
            }
            break;
          default: c = k; // " \ /
        }
      }
    } else if (c >= 0x80) {
      const len = utf8Point(b, p, e, c, out);
      if (len === 0) {
        c = 0xfffd; // what Buffer#toString does with a byte that starts no valid sequence
        p++;
      } else {
        c = out.code;
        p += len;
        if (c > 0xffff) {
          n = push(n, 0xd800 + ((c - 0x10000) >> 10));
          c = 0xdc00 + ((c - 0x10000) & 0x3ff);
        }
      }
    } else {
      p++;
    }
    n = push(n, c);
  }
  let s16 = '';
  for (let i = 0; i < n; i += 4096) {
    s16 += String.fromCharCode.apply(null, units.subarray(i, Math.min(n, i + 4096)) as unknown as number[]);
  }
  return s16;
}

/** Whether b[s, s + len) equals raw[0, len). */
export function bytesEqual(b: Buffer, s: number, raw: Uint8Array, rawStart: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (b[s + i] !== raw[rawStart + i]) return false;
  return true;
}
