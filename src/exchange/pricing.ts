/** freqtrade's pricing and stake limits for spot orders (exchange.py get_rate and _get_stake_amount_limit). */
import type { MarketLimits, Ticker } from './exchange-client.js';

/** freqtrade's amount_reserve_percent default: room for fees and rounding above a market's minimum. */
const AMOUNT_RESERVE = 0.05;

export interface PricingConfig {
  readonly price_side: 'ask' | 'bid' | 'same' | 'other';
  readonly price_last_balance: number;
}

/**
 * The rate of a long's entry (a buy) or exit (a sell) from the ticker: `same` is the order's own side (bid for a
 * buy), `other` the opposite; a side price beyond the last price moves towards it by price_last_balance. null when
 * the ticker has no such price.
 */
export function rateFromTicker(side: 'entry' | 'exit', t: Ticker, cfg: PricingConfig): number | null {
  const which = cfg.price_side === 'same' ? (side === 'entry' ? 'bid' : 'ask')
    : cfg.price_side === 'other' ? (side === 'entry' ? 'ask' : 'bid') : cfg.price_side;
  let rate = t[which];
  if (rate === null || !(rate > 0)) return t.last !== null && t.last > 0 ? t.last : null;
  if (t.last !== null && t.last > 0) {
    if (side === 'entry' && rate > t.last) rate += cfg.price_last_balance * (t.last - rate);
    else if (side === 'exit' && rate < t.last) rate -= cfg.price_last_balance * (rate - t.last);
  }
  return rate;
}

/**
 * The least stake the market takes at `price` with the stoploss's room (freqtrade's minimum: the cost minimum
 * with a stoploss reserve, the amount minimum at the price with the amount reserve; the larger). null: no limit.
 */
export function minStake(m: MarketLimits, price: number, stoploss: number): number | null {
  const reserve = 1 + AMOUNT_RESERVE;
  const sl = Math.abs(stoploss);
  const stoplossReserve = Math.max(Math.min(sl !== 1 ? reserve / (1 - sl) : 1.5, 1.5), 1);
  const limits: number[] = [];
  if (m.costMin !== null) limits.push(m.costMin * stoplossReserve);
  if (m.amountMin !== null) limits.push(m.amountMin * price * reserve);
  return limits.length === 0 ? null : Math.max(...limits);
}
