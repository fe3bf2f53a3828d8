/**
 * Which columns the demo producer's analyzed frames carry, in which order and how each is written.
 * 15 columns are always there (date, OHLCV, what RsiBollingerConsumer reads, signals and tags); up to 25
 * more indicators are added in a fixed priority order to reach the requested count (20..40).
 */
import { F } from './indicators.js';
import { formatString } from './pandas-json.js';
import { escapeInner } from './messages.js';

/** Signal columns as `dataframe['enter_long'] = cond.astype(int)` (0/1, tags null) or as `.loc[cond, ...] = 1`
 *  leaves them (1.0/null, tags default ""), in the column order each style produces. */
export type SignalStyle = 'int' | 'loc';

/** Where a column's cells come from. `field`: a candle ring (open, high, low, close, volume = 0..4) or an
 *  indicators.ts field; one shape for every kind keeps the per-cell loop monomorphic. */
export interface ColumnSource {
  readonly kind: 'date' | 'candle' | 'indicator' | 'flag' | 'signal' | 'tag';
  readonly field: number;
}

export interface ColumnSpec {
  readonly name: string;
  readonly source: ColumnSource;
}

export const MIN_COLUMNS = 20;
export const MAX_COLUMNS = 40;

const ind = (name: string, field: number): ColumnSpec => ({ name, source: { kind: 'indicator', field } });

/** Indicators in frame order; `rank` is the order in which optional ones are added (0 = always). */
const INDICATORS: readonly (ColumnSpec & { rank: number })[] = [
  { ...ind('rsi', F.rsi), rank: 0 },
  { ...ind('tema', F.tema), rank: 0 },
  { ...ind('bb_lowerband', F.bbLow), rank: 1 },
  { ...ind('bb_middleband', F.bbMid), rank: 0 },
  { ...ind('bb_upperband', F.bbUp), rank: 2 },
  { ...ind('bb_percent', F.bbPercent), rank: 6 },
  { ...ind('bb_width', F.bbWidth), rank: 7 },
  { ...ind('macd', F.macd), rank: 3 },
  { ...ind('macdsignal', F.macdSignal), rank: 4 },
  { ...ind('macdhist', F.macdHist), rank: 5 },
  { ...ind('sma_50', F.sma50), rank: 8 },
  { ...ind('ema_21', F.ema21), rank: 9 },
  { ...ind('atr', F.atr), rank: 10 },
  { ...ind('fastk', F.fastk), rank: 11 },
  { ...ind('fastd', F.fastd), rank: 12 },
  { ...ind('volume_mean_20', F.volumeMean20), rank: 13 },
  { ...ind('ema_9', F.ema9a), rank: 14 },
  { ...ind('ema_50', F.ema50), rank: 15 },
  { ...ind('sma_200', F.sma200), rank: 16 },
  { ...ind('adx', F.adx), rank: 17 },
  { ...ind('plus_di', F.plusDi), rank: 18 },
  { ...ind('minus_di', F.minusDi), rank: 19 },
  { ...ind('mfi', F.mfi), rank: 20 },
  { ...ind('cci', F.cci), rank: 21 },
  { ...ind('willr', F.willr), rank: 22 },
  { ...ind('roc', F.roc), rank: 23 },
  { ...ind('obv', F.obv), rank: 24 },
  { name: 'uptrend', source: { kind: 'flag', field: F.uptrend }, rank: 25 },
];

const BASE: readonly ColumnSpec[] = [
  { name: 'date', source: { kind: 'date', field: -1 } },
  ...['open', 'high', 'low', 'close', 'volume'].map((name, field): ColumnSpec => ({ name, source: { kind: 'candle', field } })),
];

const sig = (name: string, field: number): ColumnSpec => ({ name, source: { kind: 'signal', field } });
const tag = (name: string, field: number): ColumnSpec => ({ name, source: { kind: 'tag', field } });
const SIGNALS: Readonly<Record<SignalStyle, readonly ColumnSpec[]>> = {
  int: [sig('enter_long', F.enterLong), sig('exit_long', F.exitLong), sig('enter_short', F.enterShort),
    sig('exit_short', F.exitShort), tag('enter_tag', F.enterTag), tag('exit_tag', F.exitTag)],
  loc: [tag('enter_tag', F.enterTag), sig('enter_long', F.enterLong), sig('enter_short', F.enterShort),
    tag('exit_tag', F.exitTag), sig('exit_long', F.exitLong), sig('exit_short', F.exitShort)],
};

/** The column layout of one producer: specs in frame order, and their names as the escaped split text lists them. */
export interface FrameSchema {
  readonly style: SignalStyle;
  readonly columns: readonly ColumnSpec[];
  readonly namesText: string;
}

/** The layout for a total column count (date included) in MIN_COLUMNS..MAX_COLUMNS. */
export function frameSchema(count: number, style: SignalStyle): FrameSchema {
  if (!Number.isInteger(count) || count < MIN_COLUMNS || count > MAX_COLUMNS) {
    throw new RangeError(`columns must be an integer from ${MIN_COLUMNS} to ${MAX_COLUMNS}, got ${count}`);
  }
  const optional = count - BASE.length - INDICATORS.filter((c) => c.rank === 0).length - SIGNALS[style].length;
  const columns = [
    ...BASE,
    ...INDICATORS.filter((c) => c.rank <= optional).map(({ name, source }) => ({ name, source })),
    ...SIGNALS[style],
  ];
  return { style, columns, namesText: escapeInner(columns.map((c) => formatString(c.name)).join(',')) };
}
