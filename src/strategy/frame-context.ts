/**
 * The StrategyContext handed to `populate`: one key's frame window, with columns of other producers reachable
 * through freqtrade's suffix convention. One instance per runtime, re-bound before each evaluation, so its
 * scratch buffers are reused and an evaluation allocates only what the strategy's own helpers allocate.
 */
import type { Table } from 'apache-arrow';
import type { CandleType, PairKey } from '../protocol/index.js';
import type { Params, StrategyContext } from './api.js';
import { Scratch, columnIndex, isNumericColumn, numberAt, numericRows, textAt } from './column-view.js';

/** What the strategy side needs from the store (src/store's FrameStore has it). */
export interface FrameSource {
  producerDf(pair: string, timeframe: string, candleType: CandleType, producer?: string):
    { table: Table; la: string } | undefined;
}

/** Subscribes a listener to "a frame was stored for this key"; returns its unsubscribe. */
export type FrameUpdates = (listener: (producer: string, key: PairKey) => void) => () => void;

/** Where a suffixed column name points: column `base` of `producer`'s frame. */
export interface SuffixRef {
  readonly producer: string;
  readonly base: string;
}

/**
 * freqtrade's suffix convention: `rsi_<producer>` is column `rsi` of that producer's frame. `producers` must be
 * sorted longest first, so `rsi_my_prod` resolves to producer `my_prod` before a producer `prod`.
 */
export function splitSuffix(name: string, producers: readonly string[]): SuffixRef | null {
  for (const p of producers) {
    if (name.length > p.length + 1 && name.endsWith(p) && name[name.length - p.length - 1] === '_') {
      return { producer: p, base: name.slice(0, name.length - p.length - 1) };
    }
  }
  return null;
}

/** Producer names in the order splitSuffix needs. */
export function suffixOrder(producers: readonly string[]): string[] {
  return [...new Set(producers)].sort((a, b) => b.length - a.length);
}

/** A bound window: rows [start, start + rows) of `table`. */
export class FrameContext<P extends Params = Params> implements StrategyContext<P> {
  producer = '';
  pair = '';
  timeframe = '';
  candleType: CandleType = 'spot';
  rows = 0;
  private table: Table | null = null;
  private start = 0;
  private windowDates: Float64Array | null = null;
  private readonly columnScratch = new Map<string, Scratch>();
  private readonly otherValueScratch = new Map<string, Scratch>();
  private readonly dateScratch = new Scratch();
  private readonly otherDateScratch = new Map<string, Scratch>();
  /** Other producers' tables for the bound key, fetched at most once per evaluation (null = none held). */
  private readonly others = new Map<string, Table | null>();
  private readonly suffixes = new Map<string, SuffixRef | null>();
  private readonly suffixProducers: readonly string[];

  constructor(
    private readonly source: FrameSource,
    suffixProducers: readonly string[],
    readonly params: Readonly<P>,
  ) {
    this.suffixProducers = suffixOrder(suffixProducers);
  }

  /** Point the context at the last `lookback` rows of a key's table. */
  bind(producer: string, key: PairKey, table: Table, lookback: number): void {
    this.producer = producer;
    this.pair = key.pair;
    this.timeframe = key.timeframe;
    this.candleType = key.candleType;
    this.table = table;
    this.rows = Math.min(lookback, table.numRows);
    this.start = table.numRows - this.rows;
    this.windowDates = null;
    this.others.clear();
  }

  /** Drop references to the bound table, so a finished evaluation does not pin store buffers. */
  unbind(): void {
    this.table = null;
    this.windowDates = null;
    this.others.clear();
  }

  col(name: string): Float64Array {
    const table = this.bound();
    const own = this.ownColumn(name);
    if (own >= 0) {
      if (!isNumericColumn(table, own)) throw new TypeError(`column "${name}" holds text: read it with ctx.text()`);
      return numericRows(table, own, this.start, this.rows, this.scratchFor(name));
    }
    const ref = this.suffixRef(name);
    const other = ref === null ? null : this.otherTable(ref.producer);
    const c = other === null ? -1 : columnIndex(other, ref!.base);
    if (c < 0) throw new RangeError(this.missing(name, ref));
    if (!isNumericColumn(other!, c)) throw new TypeError(`column "${name}" holds text: read it with ctx.text()`);
    return this.aligned(name, ref!.producer, other!, c);
  }

  has(name: string): boolean {
    if (this.ownColumn(name) >= 0) return true;
    const ref = this.suffixRef(name);
    const other = ref === null ? null : this.otherTable(ref.producer);
    return other !== null && columnIndex(other, ref!.base) >= 0;
  }

  text(name: string, row: number): string | null {
    if (!Number.isInteger(row) || row < 0 || row >= this.rows) throw new RangeError(`row ${row} is outside 0..${this.rows - 1}`);
    const own = this.ownColumn(name);
    if (own >= 0) return textAt(this.bound(), own, this.start + row);
    const ref = this.suffixRef(name);
    const other = ref === null ? null : this.otherTable(ref.producer);
    const c = other === null ? -1 : columnIndex(other, ref!.base);
    if (c < 0) throw new RangeError(this.missing(name, ref));
    const j = rowOfDate(other!, this.dates()[row]!);
    return j < 0 ? null : textAt(other!, c, j);
  }

  dates(): Float64Array {
    const table = this.bound();
    this.windowDates ??= numericRows(table, columnIndex(table, 'date'), this.start, this.rows, this.dateScratch);
    return this.windowDates;
  }

  private bound(): Table {
    if (this.table === null) throw new Error('the strategy context is only valid while populate runs');
    return this.table;
  }

  /** The column's index in the bound table; -1 when absent (and for `date`, read with dates()). */
  private ownColumn(name: string): number {
    return name === 'date' ? -1 : columnIndex(this.bound(), name);
  }

  private scratchFor(name: string, pool = this.columnScratch): Scratch {
    let s = pool.get(name);
    if (s === undefined) pool.set(name, (s = new Scratch()));
    return s;
  }

  private suffixRef(name: string): SuffixRef | null {
    let ref = this.suffixes.get(name);
    if (ref === undefined) {
      ref = splitSuffix(name, this.suffixProducers);
      this.suffixes.set(name, ref);
    }
    return ref;
  }

  private otherTable(producer: string): Table | null {
    if (producer === this.producer) return this.bound();
    let t = this.others.get(producer);
    if (t === undefined) {
      t = this.source.producerDf(this.pair, this.timeframe, this.candleType, producer)?.table ?? null;
      this.others.set(producer, t);
    }
    return t;
  }

  private missing(name: string, ref: SuffixRef | null): string {
    if (ref === null) return `no column "${name}" in ${this.producer}'s ${this.pair} frame`;
    return `no column "${ref.base}" in ${ref.producer}'s ${this.pair} frame (asked as "${name}")`;
  }

  /** Column `col` of another producer's table at the window's candle dates; NaN where it has no such candle. */
  private aligned(name: string, producer: string, other: Table, col: number): Float64Array {
    const own = this.dates();
    const out = this.scratchFor(name).take(this.rows);
    const from = this.rows === 0 ? other.numRows : firstRowAtOrAfter(other, own[0]!);
    const n = other.numRows - from;
    const od = numericRows(other, columnIndex(other, 'date'), from, n, this.scratchFor(producer, this.otherDateScratch));
    const ov = numericRows(other, col, from, n, this.scratchFor(name, this.otherValueScratch));
    let j = 0;
    for (let i = 0; i < this.rows; i++) {
      const d = own[i]!;
      while (j < n && od[j]! < d) j++;
      out[i] = j < n && od[j] === d ? ov[j]! : NaN;
    }
    return out;
  }
}

/** First row whose date is >= `date` (binary search over the ascending dates); numRows when none. */
function firstRowAtOrAfter(table: Table, date: number): number {
  const col = columnIndex(table, 'date');
  let lo = 0;
  let hi = table.numRows;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (numberAt(table, col, mid) < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The row holding exactly `date`, or -1. */
function rowOfDate(table: Table, date: number): number {
  const i = firstRowAtOrAfter(table, date);
  return i < table.numRows && numberAt(table, columnIndex(table, 'date'), i) === date ? i : -1;
}
