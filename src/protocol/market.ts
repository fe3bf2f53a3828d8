/** Candle types freqtrade knows; a key with any other is invalid. */
export const CANDLE_TYPES = ['spot', 'futures', 'mark', 'index', 'premiumIndex', 'funding_rate'] as const;
export type CandleType = (typeof CANDLE_TYPES)[number];

/** One frame's identity on the wire: freqtrade's (pair, timeframe, candle_type). */
export interface PairKey {
  readonly pair: string;
  readonly timeframe: string;
  readonly candleType: CandleType;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  M: 2_592_000_000, // ccxt counts a month as 30 days, and so does freqtrade
};

/** Milliseconds per candle of a freqtrade timeframe ('5m', '1h', '1M'), or undefined when it is not one. */
export function timeframeMs(timeframe: string): number | undefined {
  const m = /^([1-9][0-9]*)([mhdwM])$/.exec(timeframe);
  if (m === null) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

export function isCandleType(s: unknown): s is CandleType {
  return typeof s === 'string' && (CANDLE_TYPES as readonly string[]).includes(s);
}

/** Stable text form of a key, for maps, logs and file names: 'BTC/USDT|5m|spot'. */
export function keyId(key: PairKey): string {
  return `${key.pair}|${key.timeframe}|${key.candleType}`;
}
