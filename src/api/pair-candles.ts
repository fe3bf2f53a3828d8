/**
 * freqtrade's /pair_candles from the store: the producer's analyzed frame of a pair, as FreqUI charts it
 * (rpc.py _convert_dataframe_to_dict): `columns`, `data` rows in that order, `__date_ts` (ms) and, per signal
 * column, `_<signal>_signal_close` (the close where the signal is 1, else null), plus the signal counts. The
 * JSON text is written straight from the columns: 1500 rows x 30 columns make no intermediate row objects.
 */
import type { CandleType, PairKey } from '../protocol/index.js';
import type { FrameStore, Table } from '../store/index.js';

/** The columns freqtrade always keeps when a request names the ones it wants. */
const ALWAYS = new Set(['date', 'open', 'high', 'low', 'close', 'volume', 'enter_long', 'exit_long', 'enter_short', 'exit_short']);
const SIGNALS = ['enter_long', 'exit_long', 'enter_short', 'exit_short'] as const;

export interface CandlesRequest {
  readonly pair: string;
  readonly timeframe: string;
  readonly limit?: number;
  /** Only these columns (with ALWAYS); all when undefined. */
  readonly columns?: readonly string[];
}

/** "2024-10-24 09:25:00+00:00": pandas' str() of a UTC timestamp. */
function pandasDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}+00:00`;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * JSON text written into one growing Buffer, a row at a time: each row's text is a short-lived string that dies
 * in the young generation, where keeping every row's string until one join (~0.6 MB live through each scavenge)
 * made 1500 x 30 cost 25 ms, most of it garbage collection; a write per cell instead costs more in writes.
 */
class JsonBytes {
  private buf = Buffer.allocUnsafe(256 * 1024);
  private at = 0;

  /** `text` is ASCII: numbers, ISO dates, JSON.stringify output of the head and of tag strings. */
  put(text: string): void {
    if (this.at + 3 * text.length > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.at + 3 * text.length));
      this.buf.copy(bigger, 0, 0, this.at);
      this.buf = bigger;
    }
    this.at += this.buf.write(text, this.at, 'utf8');
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

/** One column's cell as JSON text, by row. */
type Cell = (row: number) => string;

function cellsOf(table: Table, name: string): Cell {
  const v = table.getChild(name)!;
  if (name === 'date') return (i) => `"${isoDate(v.get(i) as number)}"`;
  const values = v.toArray() as ArrayLike<unknown>;
  if (values instanceof Float64Array) return (i) => (Number.isFinite(values[i]!) ? String(values[i]) : 'null');
  return (i) => {
    const x = v.get(i) as unknown;
    return x === null || x === undefined ? 'null' : JSON.stringify(x); // bools as true/false, as pandas' tolist()
  };
}

/**
 * The PairHistory JSON, as UTF-8, of the key held by the first of `producers` that has it; freqtrade's empty
 * answer when none does.
 */
export function pairCandles(store: FrameStore, producers: readonly string[], candleType: CandleType, strategy: string, tfMs: number, req: CandlesRequest): Buffer {
  const key: PairKey = { pair: req.pair, timeframe: req.timeframe, candleType };
  let snap: ReturnType<FrameStore['snapshot']>;
  for (const p of producers) if ((snap = store.snapshot(p, key)) !== undefined) break;
  const meta = {
    strategy, pair: req.pair, timeframe: req.timeframe, timeframe_ms: tfMs,
  };
  if (snap === undefined) {
    return Buffer.from(JSON.stringify({
      ...meta, columns: [], all_columns: [], data: [], length: 0, buy_signals: 0, sell_signals: 0,
      enter_long_signals: 0, exit_long_signals: 0, enter_short_signals: 0, exit_short_signals: 0,
      last_analyzed: isoDate(0), last_analyzed_ts: 0, data_start_ts: 0, data_start: '', data_stop: '', data_stop_ts: 0,
    }));
  }
  const { table, held } = snap;
  const all = table.schema.fields.map((f) => f.name);
  const wanted = req.columns === undefined ? null : new Set(req.columns);
  const kept = wanted === null ? all : all.filter((c) => ALWAYS.has(c) || wanted.has(c));
  const rows = table.numRows;
  const from = req.limit !== undefined && req.limit > 0 ? Math.max(0, rows - req.limit) : 0;
  const cells = kept.map((c) => cellsOf(table, c));
  const dates = table.getChild('date')!;
  const close = table.getChild('close');
  const signals = SIGNALS.filter((s) => all.includes(s)).map((s) => ({ name: s, v: table.getChild(s)!, count: 0 }));
  const isSignal = signals.map((s) => {
    const on = new Uint8Array(rows);
    for (let i = from; i < rows; i++) if (Number(s.v.get(i)) === 1) (on[i] = 1), s.count++;
    return on;
  });
  const closes = close?.toArray() as ArrayLike<number> | undefined;
  const count = (name: string): number => signals.find((s) => s.name === name)?.count ?? 0;
  const first = rows > from ? (dates.get(from) as number) : null;
  const last = rows > from ? (dates.get(rows - 1) as number) : null;
  const laMs = Date.parse(held.la);
  const head = JSON.stringify({
    ...meta,
    columns: [...kept, '__date_ts', ...signals.map((s) => `_${s.name}_signal_close`)],
    all_columns: all,
    length: rows - from,
    buy_signals: count('enter_long'),
    sell_signals: count('exit_long'),
    enter_long_signals: count('enter_long'),
    exit_long_signals: count('exit_long'),
    enter_short_signals: count('enter_short'),
    exit_short_signals: count('exit_short'),
    last_analyzed: Number.isNaN(laMs) ? isoDate(held.lastDate) : isoDate(laMs),
    last_analyzed_ts: Math.floor((Number.isNaN(laMs) ? held.lastDate : laMs) / 1000),
    data_start_ts: first ?? 0,
    data_start: first === null ? '' : pandasDate(first),
    data_stop: last === null ? '' : pandasDate(last),
    data_stop_ts: last ?? 0,
  });
  const out = new JsonBytes();
  out.put(`${head.slice(0, -1)},"data":[`);
  for (let i = from; i < rows; i++) {
    let line = i === from ? '[' : ',[';
    for (const cell of cells) line += cell(i) + ',';
    line += String(dates.get(i) as number);
    for (const on of isSignal) {
      const c = on[i] === 1 && closes !== undefined ? closes[i]! : NaN;
      line += Number.isFinite(c) ? `,${c}` : ',null';
    }
    out.put(line + ']');
  }
  out.put(']}');
  return out.bytes();
}
