import { charOut, innerChar, innerStringEnd } from './escaped-text.js';
import { integerBeyond64Bits, scanNumber, NumberOut } from './json-number.js';

/**
 * The generic part of walking a JSON document that is still escaped inside an outer string: whitespace,
 * structure, member names, skipping whole values. Positions are byte offsets in the outer message; a method
 * that fails records a reason and returns FAIL (positions are never negative).
 */
export const FAIL = -1;

export const enum Ch {
  Space = 0x20, Quote = 0x22, Comma = 0x2c, Minus = 0x2d, Colon = 0x3a, Open = 0x5b, Backslash = 0x5c,
  Close = 0x5d, OpenObj = 0x7b, CloseObj = 0x7d, LetterI = 0x49,
}

const MAX_DEPTH = 64;
const TWO_63 = 2 ** 63;

export abstract class EscapedJsonReader {
  protected b: Buffer = EMPTY;
  protected end = 0;
  /** Where the document starts, for "at frame byte N" in reasons. */
  protected origin = 0;
  protected reason = '';
  protected readonly ch = charOut();
  protected readonly num = new NumberOut();
  /** Element count of the last list skipValue skipped. */
  protected listLength = 0;
  /** Content span [nameStart, nameEnd) and plainness of the last member name memberName read. */
  protected nameStart = 0;
  protected nameEnd = 0;
  protected namePlain = true;
  private readonly stack = new Uint8Array(MAX_DEPTH);

  protected start(b: Buffer, start: number, end: number): void {
    this.b = b;
    this.origin = start;
    this.end = end;
  }

  /** Lets go of the message, so the reader does not pin it. */
  protected release(): void {
    this.b = EMPTY;
  }

  protected fail(p: number, what: string): number {
    this.reason = p >= 0 ? `${what} at frame byte ${p - this.origin}` : what;
    return FAIL;
  }

  /** Skips inner whitespace: raw spaces, or tabs/newlines escaped in the outer string. */
  protected ws(p: number): number {
    const b = this.b, end = this.end;
    while (p < end) {
      const c = b[p];
      if (c === Ch.Space) p++;
      else if (c === Ch.Backslash) {
        const c2 = innerChar(b, p, end, this.ch);
        if (c2 !== 0x0a && c2 !== 0x0d && c2 !== 0x09 && c2 !== Ch.Space) return p;
        p += this.ch.width;
      } else return p;
    }
    return p;
  }

  /** The inner character at p (ch.width = its width), or -1 at the end. */
  protected charAt(p: number): number {
    if (p >= this.end) {
      this.ch.width = 0;
      return -1;
    }
    return innerChar(this.b, p, this.end, this.ch);
  }

  /** Whether a number (not -Infinity) starts at p with byte c. */
  protected numberAt(p: number, c: number): boolean {
    return (c >= 0x30 && c <= 0x39) || (c === Ch.Minus && p + 1 < this.end && this.b[p + 1] !== Ch.LetterI);
  }

  /** Scans a number at p into num.value; refuses integers pandas cannot hold. */
  protected number(p: number): number {
    const q = scanNumber(this.b, p, this.end, this.num);
    if (q < 0) return this.fail(p, 'malformed number');
    const v = this.num.value;
    if ((v >= TWO_63 || v <= -TWO_63) && integerBeyond64Bits(this.b, p, q)) return this.fail(p, 'integer out of range');
    return q;
  }

  protected literal(p: number, word: string): number {
    const b = this.b;
    if (p + word.length > this.end) return this.fail(p, 'truncated frame');
    for (let i = 0; i < word.length; i++) if (b[p + i] !== word.charCodeAt(i)) return this.fail(p, 'unexpected literal');
    return p + word.length;
  }

  /** Reads `"name":` at p (span in nameStart/nameEnd); returns the position after the colon. */
  protected memberName(p: number): number {
    const ch = this.ch;
    if (this.charAt(p) !== Ch.Quote) return this.fail(p, 'expected a member name');
    const s = p + ch.width;
    const e = innerStringEnd(this.b, s, this.end, ch);
    if (e < 0) return this.fail(s, 'malformed string');
    this.nameStart = s;
    this.nameEnd = e;
    this.namePlain = ch.plain;
    p = this.ws(e + ch.width);
    if (this.charAt(p) !== Ch.Colon) return this.fail(p, 'expected :');
    return p + ch.width;
  }

  /** Skips one value (nesting up to MAX_DEPTH); the length of a skipped list goes to listLength. */
  protected skipValue(p: number): number {
    const b = this.b, end = this.end, ch = this.ch, stack = this.stack;
    let depth = 0;
    let count = 0;
    do {
      p = this.ws(p);
      if (depth === 1 && stack[0] === Ch.Open) count++;
      const c = this.charAt(p);
      if (c === Ch.Open || c === Ch.OpenObj) {
        if (depth === MAX_DEPTH) return this.fail(p, 'nested too deeply');
        stack[depth++] = c;
        p = this.ws(p + ch.width);
        if (this.charAt(p) !== c + 2) { // ] is [ + 2, } is { + 2
          if (c === Ch.OpenObj && (p = this.memberName(p)) < 0) return p;
          continue;
        }
        p += ch.width;
        depth--;
      } else if (c === Ch.Quote) {
        const e = innerStringEnd(b, p + ch.width, end, ch);
        if (e < 0) return this.fail(p, 'malformed string');
        p = e + ch.width;
      } else if (this.numberAt(p, c)) {
        if ((p = this.number(p)) < 0) return p;
      } else {
        const word = c === 0x6e ? 'null' : c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x4e ? 'NaN'
          : c === Ch.LetterI ? 'Infinity' : c === Ch.Minus ? '-Infinity' : '';
        if (word === '') return this.fail(p, p >= end ? 'truncated frame' : 'unexpected character');
        if ((p = this.literal(p, word)) < 0) return p;
      }
      // after a value: close containers, or move on to the next element
      while (depth > 0) {
        p = this.ws(p);
        const c2 = this.charAt(p);
        const open = stack[depth - 1]!;
        if (c2 === Ch.Comma) {
          p += ch.width;
          if (open === Ch.OpenObj && (p = this.memberName(this.ws(p))) < 0) return p;
          break;
        }
        if (c2 !== open + 2) return this.fail(p, p >= end ? 'truncated frame' : 'unexpected character');
        p += ch.width;
        depth--;
      }
    } while (depth > 0);
    this.listLength = count;
    return p;
  }
}

const EMPTY = Buffer.alloc(0);
