/**
 * RsiBollingerConsumer: the consumer strategy of freqtrade's producer/consumer documentation, on the
 * producer's rsi, tema and bb_middleband. Entry: rsi crosses above buy_rsi, tema <= bb_middleband, tema
 * rising, volume > 0. Exit, mirrored as in freqtrade's sample strategy: rsi crosses above sell_rsi,
 * tema > bb_middleband, tema falling, volume > 0. Defaults (buy_rsi 30, sell_rsi 70, minimal_roi, stoploss)
 * are the sample strategy's.
 */
import { defineStrategy } from '../api.js';

export const rsiBollingerConsumer = defineStrategy({
  name: 'RsiBollingerConsumer',
  description: "enters when rsi crosses above buy_rsi while tema is at or under the Bollinger middle band and rising; exits on the mirror image with sell_rsi",
  columns: ['rsi', 'tema', 'bb_middleband', 'volume'],
  parameters: { buy_rsi: 30, sell_rsi: 70 },
  // A crossing and a one-row shift need the last two rows.
  lookback: 2,
  minimal_roi: { '60': 0.01, '30': 0.02, '0': 0.04 },
  stoploss: -0.1,
  populate(ctx, h) {
    const rsi = ctx.col('rsi');
    const tema = ctx.col('tema');
    const mid = ctx.col('bb_middleband');
    const active = h.gt(ctx.col('volume'), 0);
    return {
      enter_long: h.and(h.crossed_above(rsi, ctx.params.buy_rsi), h.le(tema, mid), h.rising(tema), active),
      exit_long: h.and(h.crossed_above(rsi, ctx.params.sell_rsi), h.gt(tema, mid), h.falling(tema), active),
    };
  },
});
