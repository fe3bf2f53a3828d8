/**
 * One validating pass over an outer message that finds the byte spans of the members the envelope needs
 * (type, data, data.key, data.la, data.df, data.df.__type__, data.df.__value__) without building JS values.
 * Iterative, so nesting cannot overflow the stack. The frame string (data.df.__value__) is skipped with memchr
 * and left for the frame decoder, which reads and checks every byte of it anyway.
 */

/** Members the envelope needs; within one object in the order of ROOT_MEMBERS, DATA_MEMBERS, DF_MEMBERS. */
export const enum Role { Type, Data, Key, La, Df, DfType, DfValue, None }
const ROLES = Role.None;

/** Member spans [start, end) of the latest outline; start = -1 when absent. Duplicate members: the last wins. */
export class Outline {
  readonly start = new Int32Array(ROLES);
  readonly end = new Int32Array(ROLES);
  /** Whether the whole message is one JSON object (else: array or scalar). */
  isObject = false;
  has(r: Role): boolean {
    return this.start[r]! >= 0;
  }
}

const MAX_DEPTH = 512;

const kinds = new Uint8Array(MAX_DEPTH + 1); // kinds[d]: the container at depth d ([ or {)
const contexts = new Uint8Array(MAX_DEPTH + 1); // what the object at depth d is: root, data, df or other
const members = new Uint8Array(MAX_DEPTH + 1); // role of the member value being read in the object at depth d

const enum Ctx { Other, Root, Data, Df }

function isWs(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Outlines `b` into `o`. Returns null when `b` is one JSON value, else a reason ("not JSON at byte 17").
 * Strings are validated (escapes, no raw control characters) except the frame string.
 */
export function outlineMessage(b: Buffer, o: Outline): string | null {
  o.start.fill(-1);
  o.end.fill(-1);
  const end = b.length;
  let p = 0;
  let depth = 0;
  while (p < end && isWs(b[p])) p++;
  o.isObject = b[p] === 0x7b;

  for (;;) {
    // a value starts at p; `role` says which member it is
    const role: Role = depth > 0 && depth <= 3 && kinds[depth] === 0x7b ? members[depth]! : Role.None;
    if (role !== Role.None) {
      o.start[role] = p;
      if (role === Role.Data) clear(o, Role.Key, Role.DfValue);
      else if (role === Role.Df) clear(o, Role.DfType, Role.DfValue);
    }
    const c = p < end ? b[p]! : -1;
    if (c === 0x7b || c === 0x5b) {
      if (depth === MAX_DEPTH) return `nested deeper than ${MAX_DEPTH} levels at byte ${p}`;
      depth++;
      kinds[depth] = c;
      contexts[depth] = depth === 1 ? Ctx.Root : role === Role.Data ? Ctx.Data : role === Role.Df ? Ctx.Df : Ctx.Other;
      members[depth] = Role.None;
      p++;
      while (p < end && isWs(b[p])) p++;
      if (b[p] === c + 2) { // empty {} or []
        p++;
        depth--;
      } else if (c === 0x7b) {
        if ((p = memberName(b, p, depth)) < 0) return notJson(-p - 1);
        continue;
      } else {
        continue;
      }
    } else if (c === 0x22) {
      p = role === Role.DfValue ? skipString(b, p) : string(b, p);
      if (p < 0) return notJson(-p - 1);
    } else {
      p = scalar(b, p, c);
      if (p < 0) return notJson(-p - 1);
    }

    // after a value: record its end, close containers, move to the next element
    for (;;) {
      if (depth > 0 && depth <= 3 && kinds[depth] === 0x7b) {
        const m = members[depth]!;
        if (m !== Role.None) o.end[m] = p;
      }
      while (p < end && isWs(b[p])) p++;
      if (depth === 0) return p === end ? null : notJson(p);
      const k = b[p];
      if (k === 0x2c) {
        p++;
        while (p < end && isWs(b[p])) p++;
        if (kinds[depth] === 0x7b && (p = memberName(b, p, depth)) < 0) return notJson(-p - 1);
        break;
      }
      if (k !== kinds[depth]! + 2) return notJson(p);
      p++;
      depth--;
    }
  }
}

function clear(o: Outline, from: Role, to: Role): void {
  o.start.fill(-1, from, to + 1);
  o.end.fill(-1, from, to + 1);
}

function notJson(p: number): string {
  return `not JSON at byte ${p}`;
}

/** Reads `"name" :` of the object at `depth`, sets the role of the value that follows; returns the position of that value, or -(error position + 1). */
function memberName(b: Buffer, p: number, depth: number): number {
  if (b[p] !== 0x22) return -p - 1;
  const s = p + 1;
  const e = string(b, p);
  if (e < 0) return e;
  members[depth] = Role.None;
  const ctx = contexts[depth];
  if (ctx !== Ctx.Other) {
    const names = ctx === Ctx.Root ? ROOT_MEMBERS : ctx === Ctx.Data ? DATA_MEMBERS : DF_MEMBERS;
    for (let i = 0; i < names.length; i++) {
      if (nameIs(b, s, e - 1, names[i]!)) {
        members[depth] = (ctx === Ctx.Root ? Role.Type : ctx === Ctx.Data ? Role.Key : Role.DfType) + i;
        break;
      }
    }
  }
  p = e;
  while (p < b.length && isWs(b[p])) p++;
  if (b[p] !== 0x3a) return -p - 1;
  p++;
  while (p < b.length && isWs(b[p])) p++;
  return p;
}

/** Member names we look for, in Role order within their object. */
const ROOT_MEMBERS = ['type', 'data'];
const DATA_MEMBERS = ['key', 'la', 'df'];
const DF_MEMBERS = ['__type__', '__value__'];

/** Whether the string content b[s, e) is `name` (compared as bytes; escaped forms are rare: JSON.parse then). */
function nameIs(b: Buffer, s: number, e: number, name: string): boolean {
  if (e - s === name.length) {
    let i = 0;
    while (i < name.length && b[s + i] === name.charCodeAt(i)) i++;
    if (i === name.length) return true;
  }
  if (e - s <= name.length || e - s > 6 * name.length) return false;
  for (let i = s; i < e; i++) if (b[i] === 0x5c) return JSON.parse(b.toString('utf8', s - 1, e + 1)) === name;
  return false;
}

/** Validates the string at p (b[p] is a quote); returns the position after it, or -(error position + 1). */
function string(b: Buffer, p: number): number {
  const end = b.length;
  p++;
  for (;;) {
    if (p >= end) return -p - 1;
    const c = b[p]!;
    if (c === 0x22) return p + 1;
    if (c < 0x20) return -p - 1;
    if (c === 0x5c) {
      const e = b[p + 1];
      if (e === 0x75) {
        for (let i = 2; i < 6; i++) if (!isHex(b[p + i])) return -p - 1;
        p += 6;
      } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        p += 2;
      } else {
        return -p - 1;
      }
    } else {
      p++;
    }
  }
}

/** Whether the string at p (b[p] is a quote) is a well-formed JSON string. */
export function isJsonString(b: Buffer, p: number): boolean {
  return string(b, p) >= 0;
}

/**
 * Finds the end of a long string without visiting every byte: the first quote preceded by an even number of
 * backslashes. Quotes close together (column names) are found in JS, long stretches by memchr (indexOf).
 */
function skipString(b: Buffer, p: number): number {
  const end = b.length;
  let q = p + 1;
  for (;;) {
    const near = Math.min(q + 64, end);
    while (q < near && b[q] !== 0x22) q++;
    if (q === near) {
      q = q < end ? b.indexOf(0x22, q) : -1;
      if (q < 0) return -end - 1;
    }
    let k = q - 1;
    while (b[k] === 0x5c) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
    q++;
  }
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66));
}

/** A number or literal at p; returns the position after it, or -(error position + 1). */
function scalar(b: Buffer, p: number, c: number): number {
  const end = b.length;
  if (c === 0x74) return word(b, p, 'true');
  if (c === 0x66) return word(b, p, 'false');
  if (c === 0x6e) return word(b, p, 'null');
  const s = p;
  if (c === 0x2d) p++;
  if (b[p] === 0x30) p++;
  else if (isDigit(b[p])) while (isDigit(b[p])) p++;
  else return -s - 1;
  if (b[p] === 0x2e) {
    p++;
    if (!isDigit(b[p])) return -p - 1;
    while (isDigit(b[p])) p++;
  }
  if (b[p] === 0x65 || b[p] === 0x45) {
    p++;
    if (b[p] === 0x2b || b[p] === 0x2d) p++;
    if (!isDigit(b[p])) return -p - 1;
    while (isDigit(b[p])) p++;
  }
  return p <= end ? p : -end - 1;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

function word(b: Buffer, p: number, w: string): number {
  for (let i = 0; i < w.length; i++) if (b[p + i] !== w.charCodeAt(i)) return -p - 1;
  return p + w.length;
}
