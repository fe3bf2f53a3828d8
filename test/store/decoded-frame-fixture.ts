/**
 * Builds a DecodedFrame from plain JS arrays, shaped like the decoder's: typed arrays longer than `rows`
 * (the tail filled with junk the store must ignore), per-message dictionaries in first-seen order.
 */
import { SIGNAL_COLUMNS, TAG_COLUMNS, type ColumnKind, type DecodedColumn, type DecodedFrame } from '../../src/protocol/index.js';
import type { CandleType, PairKey } from '../../src/protocol/index.js';

export type Cell = number | boolean | string | null;
export type Columns = Readonly<Record<string, readonly Cell[]>>;

/** Rows of slack past `rows`, filled with junk. */
const SLACK = 3;

export function key(pair = 'BTC/USDT', timeframe = '5m', candleType: CandleType = 'spot'): PairKey {
  return { pair, timeframe, candleType };
}

/** `dates` (epoch ms) and the other columns in order; kinds follow the decoder's rules unless given. */
export function decodedFrame(dates: readonly number[], columns: Columns = {}, kinds: Readonly<Record<string, ColumnKind>> = {}): DecodedFrame {
  const rows = dates.length;
  const size = rows + SLACK;
  const frameDates = new Float64Array(size).fill(-1);
  frameDates.set(dates);
  const out: DecodedColumn[] = [];
  for (const [name, values] of Object.entries(columns)) {
    if (values.length !== rows) throw new Error(`fixture column ${name}: ${values.length} values for ${rows} rows`);
    const kind = kinds[name] ?? kindOf(name, values);
    const col: DecodedColumn = {
      name,
      kind,
      f64: new Float64Array(size).fill(777),
      i8: new Int8Array(size).fill(7),
      codes: new Int32Array(size).fill(9),
      dictionary: [],
      valid: new Uint8Array(size).fill(1),
    };
    values.forEach((v, i) => {
      col.valid[i] = v === null ? 0 : 1;
      switch (kind) {
        case 'float64':
          col.f64[i] = v === null ? NaN : Number(v);
          break;
        case 'int8':
        case 'bool':
          col.i8[i] = v === null ? 0 : Number(v);
          break;
        case 'dict': {
          if (v === null) {
            col.codes[i] = -1;
            break;
          }
          let c = col.dictionary.indexOf(String(v));
          if (c < 0) c = col.dictionary.push(String(v)) - 1;
          col.codes[i] = c;
          break;
        }
      }
    });
    out.push(col);
  }
  return { rows, dates: frameDates, columns: out };
}

function kindOf(name: string, values: readonly Cell[]): ColumnKind {
  if ((SIGNAL_COLUMNS as readonly string[]).includes(name)) return 'int8';
  if ((TAG_COLUMNS as readonly string[]).includes(name)) return 'dict';
  const v = values.find((x) => x !== null);
  return typeof v === 'boolean' ? 'bool' : typeof v === 'string' ? 'dict' : 'float64';
}

/** `n` candle dates `step` ms apart, starting at `start`. */
export function candles(start: number, n: number, step: number): number[] {
  return Array.from({ length: n }, (_, i) => start + i * step);
}
