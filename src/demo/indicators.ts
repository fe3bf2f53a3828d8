/**
 * The analysis a typical freqtrade strategy runs (RSI, TEMA, Bollinger bands, MACD, ATR, ADX, ...) and its
 * entry/exit signals, computed one row at a time so a new or re-analyzed candle costs one row of work.
 *
 * State lives in rings of LOOKBACK rows per field (enough for the longest window, sma_200); `k` counts the
 * rows since the analysis started, so the first rows of every indicator are NaN (warm-up) as in pandas.
 */

/** Rows of indicator state kept per pair: a power of two above the longest window. */
export const LOOKBACK = 256;
const MASK = LOOKBACK - 1;

/** The candles an analysis reads: rings of `cap` rows indexed by `seq % cap`. */
export interface CandleRing {
  readonly cap: number;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** Field numbers in the state matrix (`state[field * LOOKBACK + (seq & MASK)]`). */
export const F = {
  tp: 0, avgGain: 1, avgLoss: 2, rsi: 3, ema9a: 4, ema9b: 5, ema9c: 6, tema: 7,
  bbMid: 8, bbLow: 9, bbUp: 10, bbPercent: 11, bbWidth: 12,
  ema12: 13, ema26: 14, macd: 15, macdSignal: 16, macdHist: 17,
  sma50: 18, ema21: 19, ema50: 20, sma200: 21, tr: 22, atr: 23, fastk: 24, fastd: 25, volumeMean20: 26,
  plusDm: 27, minusDm: 28, plusDi: 29, minusDi: 30, dx: 31, adx: 32, mfi: 33, cci: 34, willr: 35, roc: 36,
  obv: 37, uptrend: 38, enterLong: 39, exitLong: 40, enterShort: 41, exitShort: 42, enterTag: 43, exitTag: 44,
} as const;
export const FIELD_COUNT = 45;

/** First row (k) at which a field is shown rather than NaN, as pandas' rolling/ewm min_periods leave it. */
const WARMUP = new Int32Array(FIELD_COUNT);
for (const [field, rows] of [
  [F.rsi, 14], [F.tema, 24], [F.bbMid, 19], [F.bbLow, 19], [F.bbUp, 19], [F.bbPercent, 19], [F.bbWidth, 19],
  [F.macd, 33], [F.macdSignal, 33], [F.macdHist, 33], [F.sma50, 49], [F.ema21, 20], [F.ema9a, 8], [F.ema50, 49],
  [F.sma200, 199], [F.atr, 14], [F.fastk, 13], [F.fastd, 15], [F.volumeMean20, 19], [F.plusDi, 14],
  [F.minusDi, 14], [F.adx, 27], [F.mfi, 14], [F.cci, 19], [F.willr, 13], [F.roc, 10],
] as const) {
  WARMUP[field] = rows;
}

/** Tags the signals carry (index stored in the enterTag/exitTag fields, -1 = none). */
export const TAGS = ['rsi_cross_30', 'rsi_dip/bb_low', 'rsi_cross_70_short', 'rsi_70_exit', 'rsi<30 cover ↓'] as const;

export function stateMatrix(): Float64Array {
  return new Float64Array(FIELD_COUNT * LOOKBACK).fill(NaN);
}

/** A field's value at a row, NaN while it warms up. */
export function shown(st: Float64Array, field: number, seq: number, k: number): number {
  return k >= WARMUP[field]! ? st[field * LOOKBACK + (seq & MASK)]! : NaN;
}

const A9 = 2 / 10;
const A12 = 2 / 13;
const A21 = 2 / 22;
const A26 = 2 / 27;
const A50 = 2 / 51;
const WILDER = 1 / 14;

/** State of `field` at row `seq - back`. */
function at(st: Float64Array, field: number, seq: number, back: number): number {
  return st[field * LOOKBACK + ((seq - back) & MASK)]!;
}

/** Mean of `field` over the `n` rows ending at `seq`. */
function stateMean(st: Float64Array, field: number, seq: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += st[field * LOOKBACK + ((seq - j) & MASK)]!;
  return s / n;
}

/** Mean of a candle ring over the `n` rows ending at `seq`. */
function ringMean(ring: Float64Array, cap: number, seq: number, n: number): number {
  let s = 0;
  let i = seq % cap;
  for (let j = 0; j < n; j++) {
    s += ring[i]!;
    i = i === 0 ? cap - 1 : i - 1;
  }
  return s / n;
}

/** Analyzes row `seq`, the `k`-th row since the analysis started; rows before it are already analyzed. */
export function analyzeRow(c: CandleRing, st: Float64Array, seq: number, k: number): void {
  const row = seq & MASK;
  const set = (field: number, v: number): void => {
    st[field * LOOKBACK + row] = v;
  };
  const candle = (ring: Float64Array, back: number): number => ring[(seq - back) % c.cap]!;
  const ema = (field: number, x: number, alpha: number): number =>
    k === 0 ? x : (1 - alpha) * at(st, field, seq, 1) + alpha * x;
  /** pandas ewm(adjust=False) of a series that starts at row `from`. */
  const wilder = (field: number, x: number, from: number): number =>
    k < from ? NaN : k === from ? x : (1 - WILDER) * at(st, field, seq, 1) + WILDER * x;

  const close = candle(c.close, 0);
  const high = candle(c.high, 0);
  const low = candle(c.low, 0);
  const volume = candle(c.volume, 0);
  const prevClose = k >= 1 ? candle(c.close, 1) : NaN;
  const tp = (high + low + close) / 3;
  set(F.tp, tp);

  const diff = close - prevClose;
  const ag = wilder(F.avgGain, Math.max(diff, 0), 1);
  const al = wilder(F.avgLoss, Math.max(-diff, 0), 1);
  set(F.avgGain, ag);
  set(F.avgLoss, al);
  set(F.rsi, 100 - 100 / (1 + ag / al));

  const e1 = ema(F.ema9a, close, A9);
  set(F.ema9a, e1);
  const e2 = ema(F.ema9b, e1, A9);
  set(F.ema9b, e2);
  const e3 = ema(F.ema9c, e2, A9);
  set(F.ema9c, e3);
  set(F.tema, 3 * e1 - 3 * e2 + e3);

  if (k >= 19) {
    const mid = stateMean(st, F.tp, seq, 20);
    let sq = 0;
    let dev = 0;
    for (let j = 0; j < 20; j++) {
      const d = at(st, F.tp, seq, j) - mid;
      sq += d * d;
      dev += Math.abs(d);
    }
    const sd = Math.sqrt(sq / 20);
    set(F.bbMid, mid);
    set(F.bbLow, mid - 2 * sd);
    set(F.bbUp, mid + 2 * sd);
    set(F.bbPercent, (close - (mid - 2 * sd)) / (4 * sd));
    set(F.bbWidth, (4 * sd) / mid);
    set(F.cci, (tp - mid) / (0.015 * (dev / 20)));
    set(F.volumeMean20, ringMean(c.volume, c.cap, seq, 20));
  } else {
    for (const f of [F.bbMid, F.bbLow, F.bbUp, F.bbPercent, F.bbWidth, F.cci, F.volumeMean20]) set(f, NaN);
  }

  const e12 = ema(F.ema12, close, A12);
  const e26 = ema(F.ema26, close, A26);
  set(F.ema12, e12);
  set(F.ema26, e26);
  const macd = e12 - e26;
  set(F.macd, macd);
  const signal = ema(F.macdSignal, macd, A9);
  set(F.macdSignal, signal);
  set(F.macdHist, macd - signal);

  set(F.sma50, k >= 49 ? ringMean(c.close, c.cap, seq, 50) : NaN);
  set(F.sma200, k >= 199 ? ringMean(c.close, c.cap, seq, 200) : NaN);
  set(F.ema21, ema(F.ema21, close, A21));
  set(F.ema50, ema(F.ema50, close, A50));

  const prevHigh = k >= 1 ? candle(c.high, 1) : NaN;
  const prevLow = k >= 1 ? candle(c.low, 1) : NaN;
  const tr = Math.max(high - low, Math.abs(high - prevClose), Math.abs(low - prevClose));
  set(F.tr, tr);
  const atr = wilder(F.atr, tr, 1);
  set(F.atr, atr);

  if (k >= 13) {
    let hh = -Infinity;
    let ll = Infinity;
    for (let j = 0; j < 14; j++) {
      hh = Math.max(hh, candle(c.high, j));
      ll = Math.min(ll, candle(c.low, j));
    }
    set(F.fastk, (100 * (close - ll)) / (hh - ll));
    set(F.willr, (-100 * (hh - close)) / (hh - ll));
  } else {
    set(F.fastk, NaN);
    set(F.willr, NaN);
  }
  set(F.fastd, k >= 15 ? stateMean(st, F.fastk, seq, 3) : NaN);

  const up = high - prevHigh;
  const down = prevLow - low;
  const pdm = wilder(F.plusDm, up > down && up > 0 ? up : 0, 1);
  const mdm = wilder(F.minusDm, down > up && down > 0 ? down : 0, 1);
  set(F.plusDm, pdm);
  set(F.minusDm, mdm);
  const pdi = (100 * pdm) / atr;
  const mdi = (100 * mdm) / atr;
  set(F.plusDi, pdi);
  set(F.minusDi, mdi);
  const dx = (100 * Math.abs(pdi - mdi)) / (pdi + mdi);
  set(F.dx, dx);
  set(F.adx, wilder(F.adx, dx, 14));

  if (k >= 14) {
    let pos = 0;
    let neg = 0;
    for (let j = 0; j < 14; j++) {
      const t = at(st, F.tp, seq, j);
      const flow = t * candle(c.volume, j);
      const prev = at(st, F.tp, seq, j + 1);
      if (t > prev) pos += flow;
      else if (t < prev) neg += flow;
    }
    set(F.mfi, 100 - 100 / (1 + pos / neg));
  } else {
    set(F.mfi, NaN);
  }
  set(F.roc, k >= 10 ? 100 * (close / candle(c.close, 10) - 1) : NaN);
  set(F.obv, k === 0 ? volume : at(st, F.obv, seq, 1) + (diff > 0 ? volume : diff < 0 ? -volume : 0));
  set(F.uptrend, shown(st, F.ema21, seq, k) > shown(st, F.sma50, seq, k) ? 1 : 0);

  // Signals on RSI crossing 30/70, as the classic sample strategies do (NaN during warm-up compares false).
  const rsi = shown(st, F.rsi, seq, k);
  const rsiPrev = k >= 1 ? shown(st, F.rsi, seq - 1, k - 1) : NaN;
  const tema = shown(st, F.tema, seq, k);
  const temaPrev = k >= 1 ? shown(st, F.tema, seq - 1, k - 1) : NaN;
  const enterLong = rsiPrev < 30 && rsi >= 30 && volume > 0;
  const exitLong = rsiPrev < 70 && rsi >= 70;
  const enterShort = rsiPrev > 70 && rsi <= 70 && tema < temaPrev;
  const exitShort = rsiPrev > 30 && rsi <= 30;
  set(F.enterLong, enterLong ? 1 : 0);
  set(F.exitLong, exitLong ? 1 : 0);
  set(F.enterShort, enterShort ? 1 : 0);
  set(F.exitShort, exitShort ? 1 : 0);
  set(F.enterTag, enterLong ? (tema <= shown(st, F.bbMid, seq, k) ? 1 : 0) : enterShort ? 2 : -1);
  set(F.exitTag, exitLong ? 3 : exitShort ? 4 : -1);
}
