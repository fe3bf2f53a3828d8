/**
 * Messages no healthy producer sends, for the fault switch that injects them: each kind is one of the ways a
 * message can be broken (or merely hostile) that a consumer must survive.
 */
import type { PairSeries } from './pair-series.js';
import { analyzedDfMessage, escapeInner } from './messages.js';
import { splitJson } from './pandas-json.js';

export const GARBAGE_KINDS = [
  /** A real analyzed_df message cut in half. */
  'not_json',
  /** analyzed_df whose key is a string instead of [pair, timeframe, candle_type]. */
  'wrong_shape',
  /** A message type that does not exist. */
  'unknown_type',
  /** whitelist with an empty list (freqtrade: "Empty message", the old whitelist stays). */
  'empty_data',
  /** The pair's last row again with NaN, Infinity and -Infinity literals in three indicator cells (pandas reads them). */
  'nan_literals',
  /** The pair's last row with one value more than there are columns. */
  'ragged_rows',
  /** analyzed_df whose data is 10,000 nested arrays. */
  'deep_nesting',
  /** A frame whose data is 10,000 nested arrays inside the frame text. */
  'deep_nesting_frame',
  /** A well-formed one-row analyzed_df of at least `bytes` bytes (its exit_tag is huge). */
  'oversize',
] as const;
export type GarbageKind = (typeof GARBAGE_KINDS)[number];

const DEPTH = 10_000;

/** The text of one garbage message about `series`' pair. */
export function garbageMessage(kind: GarbageKind, series: PairSeries, bytes: number): string {
  const row = (text: string): string => analyzedDfMessage(series.keyText, text, series.la);
  switch (kind) {
    case 'not_json': {
      const whole = row(series.lastRowText());
      return whole.slice(0, whole.length >> 1);
    }
    case 'wrong_shape':
      return analyzedDfMessage(JSON.stringify(series.key.pair), series.lastRowText(), series.la);
    case 'unknown_type':
      return '{"type":"bogus_type","data":{"x":1}}';
    case 'empty_data':
      return '{"type":"whitelist","data":[]}';
    case 'nan_literals':
      return row(series.lastRowWith((cells) => cells.map((c, i) => (i === 6 ? 'NaN' : i === 7 ? 'Infinity' : i === 8 ? '-Infinity' : c))));
    case 'ragged_rows':
      return row(series.lastRowWith((cells) => [...cells, '0.0']));
    case 'deep_nesting':
      return `{"type":"analyzed_df","data":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`;
    case 'deep_nesting_frame':
      return row(escapeInner(splitJson('"date"', '0', '['.repeat(DEPTH) + ']'.repeat(DEPTH))));
    case 'oversize': {
      const tag = series.columnIndex('exit_tag');
      const huge = escapeInner(`"${'x'.repeat(Math.max(0, bytes))}"`);
      return row(series.lastRowWith((cells) => cells.map((c, i) => (i === tag ? huge : c))));
    }
  }
}
