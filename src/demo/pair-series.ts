/**
 * One pair's candles and analyzed rows as the demo producer holds them: a seeded random walk of OHLCV, the
 * indicators of indicators.ts, and each row's split-JSON text cached once it is written (rows never change
 * except the last, which re-analysis updates), so a 1500-row reply is a string join, not 45,000 float formats.
 */
import type { PairKey } from '../protocol/index.js';
import { analyzeRow, LOOKBACK, shown, stateMatrix, TAGS, type CandleRing } from './indicators.js';
import type { FrameSchema } from './columns.js';
import { formatCell, formatString, splitJson } from './pandas-json.js';
import { escapeInner, isoUtc, keyJson } from './messages.js';
import { Random } from './random.js';

// The escaped split layout around its three parts (the layout itself lives in splitJson).
const [SPLIT_HEAD, SPLIT_INDEX, SPLIT_DATA, SPLIT_TAIL] = escapeInner(splitJson('\0', '\0', '\0')).split('\0') as [
  string,
  string,
  string,
  string,
];
/** The escaped text of an empty frame (a pair the producer does not hold). */
export const EMPTY_FRAME_TEXT = escapeInner(splitJson('', '', ''));

// Tags as they appear inside the escaped split text (the only strings in a row).
const TAG_TEXT = TAGS.map((t) => escapeInner(formatString(t)));
const EMPTY_TAG_TEXT = escapeInner('""');

/** Wall clock in microseconds, as Python's datetime.now() resolves it. */
function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** Row labels `a,a+1,...,b-1` out of one shared text, as pandas keeps them after iloc slicing. */
class IndexLabels {
  private text = '';
  private readonly starts: number[] = [0];

  range(a: number, b: number): string {
    while (this.starts.length <= b) {
      const n = this.starts.length - 1;
      this.text += this.text === '' ? `${n}` : `,${n}`;
      this.starts.push(this.text.length + 1);
    }
    return a >= b ? '' : this.text.slice(this.starts[a], this.starts[b]! - 1);
  }
}

const labels = new IndexLabels();
/** Scratch cells of the row being formatted. */
const cells: string[] = [];

export interface PairSeriesOptions {
  history: number;
  timeframeMs: number;
  seed: number;
  startPrice: number;
}

export class PairSeries implements CandleRing {
  readonly keyText: string;
  readonly cap: number;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  private readonly candles: readonly Float64Array[];
  /** Analyzed rows so far (the seq of the next row) and the seq the current analysis started at. */
  private count = 0;
  private origin = 0;
  private firstDate = 0;
  private readonly state = stateMatrix();
  private readonly rowText: string[];
  private readonly rng: Random;
  private readonly decimals: number;
  private readonly baseVolume: number;
  private drift = 0;
  private sigma = 0.004;
  /** When this pair was last analyzed (ISO, as `la`). */
  la = '';

  constructor(
    readonly key: PairKey,
    private schema: FrameSchema,
    private readonly opts: PairSeriesOptions,
  ) {
    this.keyText = keyJson(key);
    this.cap = Math.max(opts.history, LOOKBACK);
    this.open = new Float64Array(this.cap);
    this.high = new Float64Array(this.cap);
    this.low = new Float64Array(this.cap);
    this.close = new Float64Array(this.cap);
    this.volume = new Float64Array(this.cap);
    this.candles = [this.open, this.high, this.low, this.close, this.volume];
    this.rowText = new Array<string>(opts.history).fill('');
    this.rng = new Random(opts.seed);
    this.decimals = Math.max(0, Math.min(8, 5 - Math.floor(Math.log10(opts.startPrice))));
    this.baseVolume = (opts.startPrice < 1 ? 2e6 : 5e5) / opts.startPrice;
  }

  /** Rows the frame holds now. */
  get rows(): number {
    return Math.min(this.count, this.opts.history);
  }

  get lastSeq(): number {
    return this.count - 1;
  }

  dateOf(seq: number): number {
    return this.firstDate + seq * this.opts.timeframeMs;
  }

  /** Generates a full history ending with the candle at `lastDate` and analyzes it. */
  fill(lastDate: number): void {
    this.firstDate = lastDate - (this.opts.history - 1) * this.opts.timeframeMs;
    this.count = 0;
    this.origin = 0;
    let price = this.opts.startPrice;
    for (let i = 0; i < this.opts.history; i++) {
      this.walk(this.count, price);
      price = this.close[this.count % this.cap]!;
      this.analyze(this.count++);
    }
    this.la = isoUtc(nowUs());
  }

  /** A new candle after the last one, analyzed. */
  append(): void {
    this.walk(this.count, this.close[(this.count - 1) % this.cap]!);
    this.analyze(this.count++);
    this.la = isoUtc(nowUs());
  }

  /** The last candle moves on (price, high/low, volume) and is analyzed again: freqtrade re-analyzing each loop. */
  update(): void {
    const i = this.lastSeq % this.cap;
    const close = this.round(this.close[i]! * Math.exp(this.rng.normal() * this.sigma * 0.3));
    this.close[i] = close;
    this.high[i] = Math.max(this.high[i]!, close);
    this.low[i] = Math.min(this.low[i]!, close);
    this.volume[i] = this.roundVolume(this.volume[i]! + this.baseVolume * Math.exp(this.rng.normal() * 0.6) * 0.1);
    this.analyze(this.lastSeq);
    this.la = isoUtc(nowUs());
  }

  /** Analyzes the held candles again from the first held row (a restarted producer): warm-up NaN at the top. */
  reanalyze(schema: FrameSchema): void {
    this.schema = schema;
    this.origin = this.count - this.rows;
    for (let seq = this.origin; seq < this.count; seq++) this.analyze(seq);
    this.la = isoUtc(nowUs());
  }

  /**
   * The escaped split text of the held frame cut like `df.iloc[-limit:]` when `limit` is truthy (a negative limit
   * drops rows from the top, as Python slicing does), then to at most `maxRows` rows (the short-history fault).
   */
  frameText(limit: number, maxRows = Infinity): string {
    const n = Math.min(this.rows, maxRows);
    const from = limit > 0 ? Math.max(0, n - limit) : limit < 0 ? Math.min(n, -limit) : 0;
    const parts = new Array<string>(n - from);
    const seq0 = this.count - n;
    for (let r = from; r < n; r++) parts[r - from] = this.rowText[(seq0 + r) % this.opts.history]!;
    return this.splitText(from, n, parts.join(','));
  }

  /** The escaped split text of the last row alone, index label n-1 (what freqtrade broadcasts). */
  lastRowText(): string {
    const n = this.rows;
    return this.splitText(n - 1, n, this.rowText[this.lastSeq % this.opts.history]!);
  }

  /** The last row with some float cells replaced: a frame for the garbage switches (ragged rows, NaN literals). */
  lastRowWith(edit: (cells: string[]) => string[]): string {
    const n = this.rows;
    const row = this.rowText[this.lastSeq % this.opts.history]!;
    return this.splitText(n - 1, n, `[${edit(row.slice(1, -1).split(',')).join(',')}]`);
  }

  /** Position of a column in the frame's rows (date = 0). */
  columnIndex(name: string): number {
    return this.schema.columns.findIndex((c) => c.name === name);
  }

  private splitText(from: number, to: number, rows: string): string {
    return SPLIT_HEAD + this.schema.namesText + SPLIT_INDEX + labels.range(from, to) + SPLIT_DATA + rows + SPLIT_TAIL;
  }

  private round(price: number): number {
    const m = 10 ** this.decimals;
    return Math.round(price * m) / m;
  }

  private roundVolume(v: number): number {
    return this.opts.startPrice < 1 ? Math.floor(v) : Math.round(v * 1e4) / 1e4;
  }

  /** One candle of a random walk whose drift and volatility wander, so RSI reaches 30 and 70 now and then. */
  private walk(seq: number, open: number): void {
    const r = this.rng;
    this.drift = 0.95 * this.drift + r.normal() * 0.0006;
    this.sigma = Math.min(0.02, Math.max(0.0015, this.sigma * Math.exp(r.normal() * 0.1) + (0.004 - this.sigma) * 0.05));
    const close = this.round(open * Math.exp(this.drift + this.sigma * r.normal()));
    const i = seq % this.cap;
    this.open[i] = open;
    this.close[i] = close;
    this.high[i] = this.round(Math.max(open, close) * (1 + Math.abs(r.normal()) * this.sigma * 0.4));
    this.low[i] = this.round(Math.min(open, close) * (1 - Math.abs(r.normal()) * this.sigma * 0.4));
    const move = Math.abs(close / open - 1) / this.sigma;
    this.volume[i] = this.roundVolume(this.baseVolume * Math.exp(r.normal() * 0.6) * (0.6 + 0.4 * move));
  }

  private analyze(seq: number): void {
    const k = seq - this.origin;
    analyzeRow(this, this.state, seq, k);
    this.rowText[seq % this.opts.history] = this.formatRow(seq, k);
  }

  private formatRow(seq: number, k: number): string {
    const st = this.state;
    const loc = this.schema.style === 'loc';
    const i = seq % this.cap;
    const columns = this.schema.columns;
    cells.length = columns.length;
    for (let c = 0; c < columns.length; c++) {
      const { kind, field } = columns[c]!.source;
      let text: string;
      switch (kind) {
        case 'date':
          text = formatCell('int', this.dateOf(seq));
          break;
        case 'candle':
          text = formatCell('float', this.candles[field]![i]!);
          break;
        case 'indicator':
          text = formatCell('float', shown(st, field, seq, k));
          break;
        case 'flag':
          text = formatCell('bool', shown(st, field, seq, k) === 1);
          break;
        case 'signal': {
          const on = shown(st, field, seq, k) === 1;
          text = loc ? formatCell('float', on ? 1 : null) : formatCell('int', on ? 1 : 0);
          break;
        }
        case 'tag':
          text = TAG_TEXT[shown(st, field, seq, k)] ?? (loc ? EMPTY_TAG_TEXT : 'null');
          break;
      }
      cells[c] = text;
    }
    // join builds a flat string: the cached rows are joined again for every reply, and ropes would slow that down.
    return `[${cells.join(',')}]`;
  }
}
