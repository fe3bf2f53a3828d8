/**
 * freqtrade's trade arithmetic (persistence/trade_model.py, strategy/interface.py) for dry-run trades without
 * leverage, interest or funding fees: trade values with fees, profit, stop price, the ROI table.
 */

/** The numbers of a position that its value depends on. */
export interface Position {
  readonly isShort: boolean;
  readonly openRate: number;
  readonly amount: number;
  /** Fee ratio charged on the entry's cost and on the exit's proceeds. */
  readonly feeOpen: number;
  readonly feeClose: number;
}

/** freqtrade rounds profits to 8 decimals (`float(f"{profit:.8f}")`). */
export function round8(x: number): number {
  return Number(x.toFixed(8));
}

/** What the entry cost in stake currency, fee included (a short receives the proceeds minus the fee). */
export function openTradeValue(p: Position): number {
  const value = p.amount * p.openRate;
  const fee = value * p.feeOpen;
  return p.isShort ? value - fee : value + fee;
}

/** What closing at `rate` is worth in stake currency, fee included (a short pays the cost plus the fee). */
export function closeTradeValue(p: Position, rate: number): number {
  const value = p.amount * rate;
  const fee = value * p.feeClose;
  return p.isShort ? value + fee : value - fee;
}

/** freqtrade's profit_abs: close value minus open value (reversed for shorts), 8 decimals. */
export function profitAbs(p: Position, rate: number): number {
  const open = openTradeValue(p);
  const close = closeTradeValue(p, rate);
  return round8(p.isShort ? open - close : close - open);
}

/** freqtrade's profit_ratio: close value / open value - 1 (1 - close / open for shorts), 8 decimals. */
export function profitRatio(p: Position, rate: number): number {
  const open = openTradeValue(p);
  const close = closeTradeValue(p, rate);
  if (open === 0 || (p.isShort && close === 0)) return 0;
  return round8(p.isShort ? 1 - close / open : close / open - 1);
}

/** The stop price for a stoploss ratio (freqtrade's -0.10 = 10 % below the open rate for a long, above for a short). */
export function stopPrice(openRate: number, stoploss: number, isShort: boolean): number {
  const r = Math.abs(stoploss);
  return isShort ? openRate * (1 + r) : openRate * (1 - r);
}

/**
 * The rate a stop fills at on a candle that reached it: the stop price, or the candle's open when the candle
 * opened beyond the stop (a gap), as freqtrade's backtesting does.
 */
export function stopFillRate(stop: number, candleOpen: number, isShort: boolean): number {
  return isShort ? Math.max(stop, candleOpen) : Math.min(stop, candleOpen);
}

/** Whether a candle's range reached the stop (low for a long, high for a short). */
export function stopReached(stop: number, low: number, high: number, isShort: boolean): boolean {
  return isShort ? high >= stop : low <= stop;
}

/** One minimal_roi entry: from `minutes` of trade duration on, a profit ratio above `ratio` exits. */
export interface RoiStep {
  readonly minutes: number;
  readonly ratio: number;
}
/** minimal_roi sorted by minutes, ascending. */
export type RoiTable = readonly RoiStep[];

/** A minimal_roi object ({"0": 0.04, "30": 0.02}) as a table, or a one-line problem. */
export function parseRoi(roi: Readonly<Record<string, unknown>>): RoiTable | string {
  const steps: RoiStep[] = [];
  for (const [k, v] of Object.entries(roi)) {
    const minutes = Number(k);
    if (k.trim() === '' || !Number.isInteger(minutes) || minutes < 0) {
      return `minimal_roi key "${k}" is not a whole number of minutes`;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) return `minimal_roi["${k}"] must be a number, got ${JSON.stringify(v)}`;
    steps.push({ minutes, ratio: v });
  }
  return steps.sort((a, b) => a.minutes - b.minutes);
}

/** The ROI ratio in force after `minutes` of trade duration: the entry with the largest key <= minutes. */
export function roiAt(table: RoiTable, minutes: number): number | undefined {
  let ratio: number | undefined;
  for (const step of table) {
    if (step.minutes > minutes) break;
    ratio = step.ratio;
  }
  return ratio;
}

/** freqtrade's trade duration for ROI: whole minutes since the trade opened. */
export function tradeMinutes(openDateMs: number, nowMs: number): number {
  return Math.floor((nowMs - openDateMs) / 60_000);
}
