/**
 * The contract between frame decoding (wire) and the columnar store.
 *
 * A decoder fills one reusable DecodedFrame per connection: columns are typed arrays grown in place and
 * reused across messages, so the per-message path allocates no per-row objects. Only rows [0, rows) are
 * meaningful. The store copies what it keeps into its own ring buffers before the next message is decoded.
 */

/**
 * How a column is held. A key's column kinds are fixed by the first frame stored for it (the store passes
 * them back to the decoder as a hint), so a column does not flip type with the values of one message:
 * - 'float64': every numeric column (integers included). Null (NaN, None, ±Infinity on the wire) = NaN + invalid.
 * - 'int8':    the signal columns enter_long, exit_long, enter_short, exit_short (0/1, 1.0/null).
 * - 'bool':    a column whose values are JSON booleans; stored one byte per row (0/1).
 * - 'dict':    strings (enter_tag, exit_tag, FreqAI labels): indices into the column's dictionary.
 * `date` is not a column here: it is DecodedFrame.dates.
 */
export type ColumnKind = 'float64' | 'int8' | 'bool' | 'dict';

/** Columns that are signals by name, and tags by name (strings even when every value is null). */
export const SIGNAL_COLUMNS = ['enter_long', 'exit_long', 'enter_short', 'exit_short'] as const;
export const TAG_COLUMNS = ['enter_tag', 'exit_tag'] as const;
/** Columns a projection always keeps besides the ones it lists. */
export const OHLCV_COLUMNS = ['open', 'high', 'low', 'close', 'volume'] as const;

export interface DecodedColumn {
  readonly name: string;
  kind: ColumnKind;
  /** 'float64' values (NaN where invalid). */
  f64: Float64Array;
  /** 'int8' and 'bool' values (0 where invalid). */
  i8: Int8Array;
  /** 'dict' values: index into `dictionary`, -1 where invalid. */
  codes: Int32Array;
  /** 'dict' only: the distinct strings of this message's column, in first-seen order. */
  dictionary: string[];
  /** One byte per row: 1 = value present, 0 = null. */
  valid: Uint8Array;
}

export interface DecodedFrame {
  /** Rows decoded; arrays may be longer than this. */
  rows: number;
  /** `date` column: epoch milliseconds, ascending as the producer sent them. */
  dates: Float64Array;
  /** Every column but `date`, in the producer's order (after projection and signal removal). */
  readonly columns: DecodedColumn[];
}
