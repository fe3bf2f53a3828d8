/** Where decisions are made: the strategy runtime over the store's frames, and the dry-run broker behind it. */
export { Trading, checkTradingConfig, type TradingDaemonConfig, type TradingOptions, type TradingStatus } from './trading.js';
export type { KeyReason, OpenPosition, StrategyStatus } from './runtime.js';
export type { BrokerStatus, LastDecision, TradingSettings } from './broker.js';
export { builtInStrategies, type LoadedStrategy } from './strategy-loader.js';
