/** The trading keys a dry-run test does not care about, at the shipped defaults (config/default.json). */
import type { TradingDaemonConfig } from '../../src/strategy/index.js';

export const ORDER_DEFAULTS: Pick<TradingDaemonConfig,
  'live' | 'trading_mode' | 'exchange' | 'order_types' | 'entry_pricing' | 'exit_pricing' | 'unfilledtimeout'> = {
  live: null,
  trading_mode: 'spot',
  exchange: undefined,
  order_types: { entry: 'limit', exit: 'limit', stoploss: 'limit', stoploss_on_exchange: false },
  entry_pricing: { price_side: 'same', price_last_balance: 0, use_order_book: false },
  exit_pricing: { price_side: 'same', price_last_balance: 0, use_order_book: false },
  unfilledtimeout: { entry: 10, exit: 10, unit: 'minutes', exit_timeout_count: 0 },
};
