/**
 * The producer's outgoing messages as freqtrade's orjson writes them: compact, keys in schema order, non-ASCII
 * as raw UTF-8, a frame as `{"__type__":"dataframe","__value__":"<split JSON text as a string>"}`.
 */
import type { PairKey } from '../protocol/index.js';

/** What freqtrade's producer sends when a request fails inside the bot. */
export const EXCEPTION_TEXT = 'Error processing request';
/** `la` of a pair the producer holds no frame for: epoch 0. */
export const EPOCH_LA = '1970-01-01T00:00:00+00:00';

const KEY_PREFIX = '{"type":"analyzed_df","data":{"key":';
const DF_PREFIX = ',"df":{"__type__":"dataframe","__value__":"';
const LA_PREFIX = '"},"la":"';
const SUFFIX = '"}}';

/** The split text escaped once more as the body of an outer JSON string (it is ASCII: only `"` and `\` change). */
export function escapeInner(text: string): string {
  return text.replace(/["\\]/g, '\\$&');
}

/** `["BTC/USDT","5m","spot"]`, the key as the outer JSON writes the tuple. */
export function keyJson(key: PairKey): string {
  return JSON.stringify([key.pair, key.timeframe, key.candleType]);
}

/**
 * One analyzed_df message. `escapedFrame` is the split text already passed through escapeInner (the producer
 * caches escaped rows, so a 1500-row reply is a concatenation).
 */
export function analyzedDfMessage(keyText: string, escapedFrame: string, la: string): string {
  return KEY_PREFIX + keyText + DF_PREFIX + escapedFrame + LA_PREFIX + la + SUFFIX;
}

export function whitelistMessage(pairs: readonly string[]): string {
  return `{"type":"whitelist","data":${JSON.stringify(pairs)}}`;
}

export function newCandleMessage(keyText: string): string {
  return `{"type":"new_candle","data":${keyText}}`;
}

export function exceptionMessage(): string {
  return `{"type":"exception","data":${JSON.stringify(EXCEPTION_TEXT)}}`;
}

/** Python's `datetime.isoformat()` of a UTC datetime: microseconds only when not zero, `+00:00` offset. */
export function isoUtc(epochUs: number): string {
  const ms = Math.floor(epochUs / 1000);
  const us = epochUs - ms * 1000;
  const base = new Date(ms).toISOString(); // 2024-10-24T09:29:03.123Z
  const micros = (ms % 1000) * 1000 + us;
  const head = base.slice(0, 19);
  return micros === 0 ? `${head}+00:00` : `${head}.${String(micros).padStart(6, '0')}+00:00`;
}
