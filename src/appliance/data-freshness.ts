/**
 * When the last candle arrived, and whether that is too long ago. Producers send every pair's analyzed candle
 * at least once per candle of its timeframe, so data is stale after two periods of the shortest timeframe seen
 * without any candle (plus a minute for the producer's own analysis time).
 */
import { timeframeMs } from '../protocol/index.js';

const GRACE_MS = 60_000;

export class DataFreshness {
  private last: number | null = null;
  private shortestMs = Infinity;
  /** Timeframe text -> ms, so the per-message call is a map lookup, not a regex. */
  private readonly periods = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A candle of `timeframe` ('5m') was stored. Called per message. */
  candle(timeframe: string): void {
    this.last = this.now();
    let ms = this.periods.get(timeframe);
    if (ms === undefined) {
      ms = timeframeMs(timeframe) ?? Infinity;
      this.periods.set(timeframe, ms);
      if (ms < this.shortestMs) this.shortestMs = ms;
    }
  }

  /** Epoch ms of the last candle, null before the first. */
  get lastCandleAt(): number | null {
    return this.last;
  }

  /** Candles were flowing and have stopped for longer than the shortest timeframe allows. */
  stale(now: number): boolean {
    return this.last !== null && now - this.last > 2 * this.shortestMs + GRACE_MS;
  }
}
