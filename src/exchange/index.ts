/** The exchange account of live trading, through ccxt (one exchange class, loaded only when live). */
export {
  ExchangeClient, ExchangeFailure, type FailureKind, type MarketLimits, type OrderRequest, type OrderState, type Ticker,
} from './exchange-client.js';
export { minStake, rateFromTicker } from './pricing.js';
