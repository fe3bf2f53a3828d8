/**
 * UpstreamSignals: trades the producer's own signals (freqtrade docs, "Using upstream signals"): its
 * enter_long/exit_long/enter_short/exit_short columns and enter_tag/exit_tag on the last closed candle.
 * Needs `remove_entry_exit_signals: false`, or every signal arrives as 0 (the runtime warns at start-up).
 * It has no ROI table and a stoploss of -0.99 of its own (exits come from the producer): set minimal_roi
 * and stoploss in the config to trade like the producer's strategy does.
 */
import { defineStrategy, type StrategyContext } from '../api.js';

function optional(ctx: StrategyContext, name: string): Float64Array | undefined {
  return ctx.has(name) ? ctx.col(name) : undefined;
}

function lastTag(ctx: StrategyContext, name: string): string | null {
  return ctx.has(name) ? ctx.text(name, ctx.rows - 1) : null;
}

export const upstreamSignals = defineStrategy({
  name: 'UpstreamSignals',
  description: "trades the producer's own entry/exit signals and tags on the last closed candle",
  columns: ['enter_long'],
  can_short: true,
  lookback: 1,
  minimal_roi: {},
  stoploss: -0.99,
  populate(ctx) {
    return {
      enter_long: ctx.col('enter_long'),
      exit_long: optional(ctx, 'exit_long'),
      enter_short: optional(ctx, 'enter_short'),
      exit_short: optional(ctx, 'exit_short'),
      enter_tag: lastTag(ctx, 'enter_tag'),
      exit_tag: lastTag(ctx, 'exit_tag'),
    };
  },
});
