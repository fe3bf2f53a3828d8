/**
 * Producer messages built from the shared vectors' real 1500-row frame (BTC/USDT 5m, 28 columns incl. rsi,
 * tema, bb_middleband and the signal columns): the full frame under any pair name, and one-row broadcasts of
 * later candles with chosen prices and signals. Used by the store integration test and the strategy benches.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR as VECTORS } from '../helpers/vectors.js';


const fullText = readFileSync(join(VECTORS, 'analyzed_df_full_1500.wire'), 'utf8');
const outer = JSON.parse(fullText) as { data: { df: { __value__: string }; la: string } };
const inner = JSON.parse(outer.data.df.__value__) as { columns: string[]; data: unknown[][] };

export const COLUMNS: readonly string[] = inner.columns;
/** The full frame's rows as the producer sent them. */
export const ROWS: readonly (readonly unknown[])[] = inner.data;
/** Open time of the full frame's last candle. */
export const LAST_DATE = ROWS[ROWS.length - 1]![0] as number;
export const M5 = 300_000;

/** The full 1500-row frame message, for `pair`. */
export function fullFrameMessage(pair: string): Buffer {
  return Buffer.from(fullText.replace('"key":["BTC/USDT",', `"key":[${JSON.stringify(pair)},`));
}

export interface RowOverrides {
  readonly [column: string]: number | string | null;
}

/** A one-row broadcast for `pair` at `date`: the frame's last row with `overrides` applied. */
export function oneRowMessage(pair: string, date: number, overrides: RowOverrides = {}): Buffer {
  const row = [...ROWS[ROWS.length - 1]!];
  row[0] = date;
  for (const [name, value] of Object.entries(overrides)) {
    const i = COLUMNS.indexOf(name);
    if (i < 0) throw new Error(`no column ${name}`);
    row[i] = value;
  }
  const frame = JSON.stringify({ columns: COLUMNS, index: [ROWS.length - 1], data: [row] });
  return Buffer.from(JSON.stringify({
    type: 'analyzed_df',
    data: { key: [pair, '5m', 'spot'], df: { __type__: 'dataframe', __value__: frame }, la: new Date(date + M5 + 3000).toISOString().replace('Z', '+00:00') },
  }));
}
