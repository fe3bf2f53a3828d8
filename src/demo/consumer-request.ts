/**
 * What freqtrade's producer makes of one request text (freqtrade/rpc/api_server/api_ws.py): the request is
 * validated against its schema (type one of subscribe/whitelist/analyzed_df), then acted on.
 */

import { MAX_CANDLES, MESSAGE_TYPES } from '../protocol/index.js';

export type ConsumerRequest =
  /** topics: the new subscription list, or null when the request leaves the subscription as it is. */
  | { kind: 'subscribe'; topics: readonly string[] | null }
  | { kind: 'whitelist' }
  /** limit 0 = every held candle (freqtrade: `if limit:`); pair null = every whitelisted pair. */
  | { kind: 'analyzed_df'; limit: number; pair: string | null }
  /** Not JSON text: freqtrade's reader raises and the connection is closed. */
  | { kind: 'undecodable' }
  /** Fails schema validation (unknown type, not an object): logged and ignored. */
  | { kind: 'invalid'; reason: string }
  /** Valid type but data freqtrade cannot use: answered with an `exception` message. */
  | { kind: 'failed'; reason: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Python truthiness of a JSON value. */
function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return Boolean(v);
}

/** The request's parsed JSON (for the producer's record of requests), or undefined when it is not JSON. */
export function parseRequestJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function interpretRequest(msg: unknown): ConsumerRequest {
  if (msg === undefined) return { kind: 'undecodable' };
  if (!isObject(msg)) return { kind: 'invalid', reason: 'request is not an object' };
  const { type, data } = msg;
  switch (type) {
    case 'subscribe': {
      if (!truthy(data)) return { kind: 'subscribe', topics: null };
      // freqtrade iterates whatever `data` is: a list's items, a dict's keys (a string's characters never match).
      const topics = Array.isArray(data) ? data : isObject(data) ? Object.keys(data) : null;
      const known = topics !== null && topics.every((t) => typeof t === 'string' && MESSAGE_TYPES.has(t));
      return { kind: 'subscribe', topics: known ? (topics as string[]) : null };
    }
    case 'whitelist':
      return { kind: 'whitelist' };
    case 'analyzed_df': {
      if (!truthy(data)) return { kind: 'analyzed_df', limit: 0, pair: null };
      if (!isObject(data)) return { kind: 'failed', reason: 'analyzed_df data is not an object' };
      const rawLimit = 'limit' in data ? data.limit : MAX_CANDLES;
      const limit = typeof rawLimit === 'boolean' ? Number(rawLimit) : rawLimit;
      if (typeof limit !== 'number' || !Number.isFinite(limit)) {
        return { kind: 'failed', reason: 'analyzed_df limit is not a number' };
      }
      const pair = data.pair ?? null;
      if (truthy(pair) && typeof pair !== 'string') return { kind: 'failed', reason: 'analyzed_df pair is not a string' };
      return { kind: 'analyzed_df', limit: Math.trunc(Math.min(limit, MAX_CANDLES)), pair: truthy(pair) ? (pair as string) : null };
    }
    default:
      return { kind: 'invalid', reason: `unknown request type ${JSON.stringify(type)?.slice(0, 40) ?? 'undefined'}` };
  }
}
