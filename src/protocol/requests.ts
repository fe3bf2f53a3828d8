/**
 * The consumer's requests to a producer, as the exact JSON text freqtrade's consumer sends
 * (compact, `data` left out where freqtrade leaves it out). Byte-identical to vectors/request_*.wire.
 */

/** Subscribe to the two broadcast types the consumer uses. No reply. */
export const SUBSCRIBE = '{"type":"subscribe","data":["whitelist","analyzed_df"]}';

/** Ask for the producer's whitelist. freqtrade sends no `data` member here. */
export const WHITELIST = '{"type":"whitelist"}';

/** Ask for the last `limit` analyzed candles of `pair`, or of every whitelisted pair when `pair` is null. */
export function analyzedDf(limit: number, pair: string | null): string {
  return `{"type":"analyzed_df","data":{"limit":${limit},"pair":${JSON.stringify(pair)}}}`;
}

/** The three requests sent right after every (re)connect, in freqtrade's order. */
export function initialRequests(initialCandleLimit: number): readonly string[] {
  return [SUBSCRIBE, WHITELIST, analyzedDf(initialCandleLimit, null)];
}
