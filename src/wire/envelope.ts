import { MESSAGE_TYPES, isCandleType, timeframeMs, type PairKey } from '../protocol/index.js';
import { Outline, Role, isJsonString, outlineMessage } from './message-outline.js';
import { parseIsoTimestamp } from './iso-timestamp.js';

/**
 * The outer layer of a producer message, classified as freqtrade's consumer does (type known? data empty?
 * shape right?) but without materializing the frame: an analyzed_df comes back with the byte span of its still
 * escaped frame text, for FrameDecoder.
 */
export type Envelope =
  | { kind: 'whitelist'; pairs: string[] }
  | { kind: 'analyzed_df'; key: PairKey; la: string /* ISO as sent */; laMs: number;
      frameStart: number; frameEnd: number /* byte span in msg of the still-escaped inner frame text (between the quotes of __value__) */ }
  | { kind: 'ignored'; type: string }          // known type the consumer ignores: new_candle, exception, status, entry, exit, ...
  | { kind: 'empty'; type: string }            // data empty ([], null, {}): ignored, old whitelist stays
  | { kind: 'invalid'; reason: string }        // JSON but wrong shape (type missing/unknown, bad key, bad la, df not wrapped ...)
  | { kind: 'undecodable'; reason: string };   // not JSON

const outline = new Outline();

/** Classifies one message from a producer. Never throws. */
export function parseEnvelope(msg: Buffer): Envelope {
  try {
    const e = classify(msg);
    // The outline leaves the frame string to the frame decoder; when nobody will decode it, check it here.
    if (e.kind === 'analyzed_df' || e.kind === 'undecodable' || !outline.has(Role.DfValue)) return e;
    const s = outline.start[Role.DfValue]!;
    return msg[s] !== 0x22 || isJsonString(msg, s) ? e : { kind: 'undecodable', reason: `not JSON: malformed string at byte ${s}` };
  } catch (e) {
    return { kind: 'undecodable', reason: `cannot read message: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function classify(msg: Buffer): Envelope {
  const o = outline;
  const notJson = outlineMessage(msg, o);
  if (notJson !== null) return { kind: 'undecodable', reason: msg.length === 0 ? 'empty message' : notJson };
  if (!o.isObject) return invalid('a message must be a JSON object');
  if (!o.has(Role.Type)) return invalid('message has no type');
  const type = value(msg, o, Role.Type);
  if (typeof type !== 'string') return invalid('message type is not a string');
  if (!MESSAGE_TYPES.has(type)) return invalid(`unknown message type ${quote(type)}`);
  if (isEmpty(msg, o)) return { kind: 'empty', type };

  if (type === 'whitelist') {
    const pairs = value(msg, o, Role.Data);
    if (!Array.isArray(pairs)) return invalid('whitelist data is not a list');
    for (const pair of pairs) if (typeof pair !== 'string') return invalid('whitelist holds a pair that is not a string');
    return { kind: 'whitelist', pairs: pairs as string[] };
  }
  if (type !== 'analyzed_df') return { kind: 'ignored', type };

  if (msg[o.start[Role.Data]!] !== 0x7b) return invalid('analyzed_df data is not an object');
  const key = pairKey(value(msg, o, Role.Key));
  if (typeof key === 'string') return invalid(key);
  if (!o.has(Role.Df)) return invalid('analyzed_df has no df');
  if (!o.has(Role.DfType) || value(msg, o, Role.DfType) !== 'dataframe') {
    return invalid('df is not a {"__type__": "dataframe", "__value__": ...} wrapper');
  }
  if (!o.has(Role.DfValue) || msg[o.start[Role.DfValue]!] !== 0x22) return invalid('df __value__ is not a string');
  if (!o.has(Role.La)) return invalid('analyzed_df has no la');
  const la = value(msg, o, Role.La);
  const laMs = typeof la === 'string' ? parseIsoTimestamp(la) : undefined;
  if (laMs === undefined) return invalid(`la is not an ISO timestamp: ${quote(la)}`);
  return {
    kind: 'analyzed_df', key, la: la as string, laMs,
    frameStart: o.start[Role.DfValue]! + 1, frameEnd: o.end[Role.DfValue]! - 1,
  };
}

/** freqtrade drops a message whose data is falsy in Python: absent, null, false, 0, "", [] or {}. */
function isEmpty(msg: Buffer, o: Outline): boolean {
  if (!o.has(Role.Data)) return true;
  const s = o.start[Role.Data]!, e = o.end[Role.Data]!;
  const c = msg[s];
  if (c === 0x6e || c === 0x66) return true; // null, false
  if (c === 0x74) return false;
  if (c === 0x22) return e - s === 2;
  if (c === 0x5b || c === 0x7b) {
    let p = s + 1;
    while (p < e && (msg[p] === 0x20 || msg[p] === 0x0a || msg[p] === 0x0d || msg[p] === 0x09)) p++;
    return p === e - 1;
  }
  return Number(msg.toString('latin1', s, e)) === 0;
}

/** [pair, timeframe, candle_type] as a PairKey, or the reason it is not one. */
function pairKey(k: unknown): PairKey | string {
  if (k === undefined) return 'analyzed_df has no key';
  if (!Array.isArray(k) || k.length !== 3 || !k.every((x) => typeof x === 'string')) {
    return 'key is not [pair, timeframe, candle_type]';
  }
  const [pair, timeframe, candleType] = k as [string, string, string];
  if (pair === '') return 'key has an empty pair';
  if (timeframeMs(timeframe) === undefined) return `key has an unknown timeframe ${quote(timeframe)}`;
  if (!isCandleType(candleType)) return `key has an unknown candle type ${quote(candleType)}`;
  return { pair, timeframe, candleType };
}

/** The member's JSON value (small members only: type, data of a whitelist, key, la, __type__); undefined if absent. */
function value(msg: Buffer, o: Outline, r: Role): unknown {
  if (!o.has(r)) return undefined;
  const s = o.start[r]!, e = o.end[r]!;
  if (msg[s] === 0x22 && plainString(msg, s, e)) return msg.toString('utf8', s + 1, e - 1);
  if (msg[s] === 0x5b) {
    const key = plainTriple(msg, s, e);
    if (key !== undefined) return key;
  }
  return JSON.parse(msg.toString('utf8', s, e));
}

/** Whether the string msg[s, e) (quotes included) has no escapes, so its content is its value. */
function plainString(msg: Buffer, s: number, e: number): boolean {
  for (let i = s + 1; i < e - 1; i++) if (msg[i] === 0x5c) return false;
  return true;
}

/** A compact list of three plain strings (how every producer writes `key`), read without JSON.parse. */
function plainTriple(msg: Buffer, s: number, e: number): string[] | undefined {
  const parts: string[] = [];
  let p = s + 1;
  for (let i = 0; i < 3; i++) {
    if (msg[p] !== 0x22) return undefined;
    const q = msg.indexOf(0x22, p + 1);
    if (q < 0 || q >= e || !plainString(msg, p, q + 1)) return undefined;
    parts.push(msg.toString('utf8', p + 1, q));
    p = q + 1;
    if (msg[p] !== (i < 2 ? 0x2c : 0x5d)) return undefined;
    p++;
  }
  return p === e ? parts : undefined;
}

function invalid(reason: string): Envelope {
  return { kind: 'invalid', reason };
}

/** A value for a reason line: JSON-quoted (no raw control characters reach a log) and cut short. */
function quote(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
