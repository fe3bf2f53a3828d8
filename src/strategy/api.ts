/**
 * The strategy API: what a user strategy module exports and what it is given.
 *
 * A strategy is a plain object, default-exported from a `.js`/`.mjs` module whose absolute path is the
 * config's `strategy` (no TypeScript toolchain needed on the Pi). For editor help in plain JavaScript:
 *
 *   // @ts-check
 *   /** @type {import('ft-edge/dist/src/strategy/api.js').StrategyDefinition} *\/
 *   export default {
 *     name: 'MyRsi',
 *     columns: ['rsi'],
 *     parameters: { buy_rsi: 30 },
 *     lookback: 2,
 *     populate(ctx, h) {
 *       return { enter_long: h.crossed_above(ctx.col('rsi'), ctx.params.buy_rsi) };
 *     },
 *   };
 *
 * `populate` works like freqtrade's populate_entry_trend/populate_exit_trend over the producer's analyzed
 * frame: columns are typed arrays over the last `lookback` rows, signals are 0/1 arrays of the same length.
 * Only the last row (the last closed candle) is acted upon.
 */
import type { CandleType } from '../protocol/index.js';
import type * as helpers from './helpers.js';

/** Values a strategy parameter may take. The config overrides them by name (freqtrade's `buy_rsi` ...). */
export type ParamValue = number | string | boolean;
export type Params = { readonly [name: string]: ParamValue };

/** Candle types a trade can be made on; `futures` keys are the only ones where shorts are allowed. */
export type TradableCandleType = Extract<CandleType, 'spot' | 'futures'>;
export const TRADABLE_CANDLE_TYPES: readonly TradableCandleType[] = ['spot', 'futures'];

/** One value per window row; a row's signal is set when its value is exactly 1 (freqtrade's `== 1`). */
export type SignalSeries = Uint8Array | Int8Array | Float64Array;
/** A tag for every row, or one per row (`null` = no tag). */
export type TagSeries = string | null | readonly (string | null)[];

/** What `populate` returns. Absent members mean "never set" (freqtrade's default of 0 / no tag). */
export interface Signals {
  readonly enter_long?: SignalSeries | undefined;
  readonly exit_long?: SignalSeries | undefined;
  readonly enter_short?: SignalSeries | undefined;
  readonly exit_short?: SignalSeries | undefined;
  readonly enter_tag?: TagSeries | undefined;
  readonly exit_tag?: TagSeries | undefined;
}

/** The vectorised helpers, handed to `populate` as its second argument. */
export type Helpers = typeof helpers;

/** One key's frame as a strategy sees it: the last `rows` rows of the producer's analyzed dataframe. */
export interface StrategyContext<P extends Params = Params> {
  readonly producer: string;
  readonly pair: string;
  readonly timeframe: string;
  readonly candleType: CandleType;
  /** Rows in the window (at most the strategy's `lookback`); every column and signal has this length. */
  readonly rows: number;
  /** The strategy's parameters with the config's overrides applied. */
  readonly params: Readonly<P>;
  /**
   * A numeric column over the window rows, nulls as NaN (signal columns as 0/1/NaN, booleans as 0/1).
   * `name_<producer>` reads the column `name` of the same pair from another producer named in `informative`
   * (or this one), matched on candle date (freqtrade's `merge_informative_pair(..., suffix=producer)`
   * without forward-fill: a candle that producer does not have is NaN). Throws when the column is absent
   * or holds text. The array is a view: valid until `populate` returns, never to be written to.
   */
  col(name: string): Float64Array;
  /** Whether `col(name)` (or `text(name, row)`) would find the column. */
  has(name: string): boolean;
  /** A text column's value at a window row (tags, FreqAI labels); null when null. */
  text(name: string, row: number): string | null;
  /** Candle open times (epoch ms) of the window rows. */
  dates(): Float64Array;
}

/** What a strategy module exports (as `default`, or as `strategy`). */
export interface StrategyDefinition<P extends Params = Params> {
  /** Shown in logs, status and the journal. */
  readonly name: string;
  /** One line for `ft-edge strategies`: what it trades on. */
  readonly description?: string;
  /** The producer whose frames this strategy trades. Default 'default' (freqtrade's default producer name). */
  readonly producer?: string;
  /** Other producers whose columns it reads with the `_<producer>` suffix. */
  readonly informative?: readonly string[];
  /** The timeframe it trades ('5m'); absent: whatever timeframe the producer sends. */
  readonly timeframe?: string;
  /** Candle types it trades. Default ['spot', 'futures']. */
  readonly candle_types?: readonly TradableCandleType[];
  /** Columns `populate` reads: a key lacking one waits (status says which) instead of failing. */
  readonly columns?: readonly string[];
  /** May it open shorts (futures keys only)? Default false. */
  readonly can_short?: boolean;
  /** Trailing rows `populate` needs to see (2 for a crossing). Default: the whole frame. */
  readonly lookback?: number;
  /** Parameter defaults; the config overrides them by name. */
  readonly parameters?: P;
  /** freqtrade's minimal_roi (minutes -> ratio) used when the config has none. */
  readonly minimal_roi?: Readonly<Record<string, number>>;
  /** freqtrade's stoploss (a negative ratio) used when the config has none. */
  readonly stoploss?: number;
  /** Entry/exit signals for the window rows. Runs on the daemon's thread: keep it to vector operations. */
  populate(ctx: StrategyContext<P>, h: Helpers): Signals;
}

/** Identity function that gives a TypeScript or `// @ts-check` JavaScript strategy its types. */
export function defineStrategy<P extends Params>(strategy: StrategyDefinition<P>): StrategyDefinition<P> {
  return strategy;
}
