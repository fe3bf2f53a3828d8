/**
 * Response shapes for the freqtrade REST API subset used by FreqUI.
 * Based on freqtrade api_schemas.py (API_VERSION 2.40, develop @ c9ae5e1e9) and, for /trades
 * (which has no response_model), Trade.to_json()/Order.to_json().
 *
 * Conventions
 * - A FieldSpec is a '|'-joined list of JSON types: 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object'.
 *   'integer' means a JSON number that must be an integer (pydantic `int`).
 *   Python `Optional[X] = None` is written as 'X|null'. The key is still always present (FastAPI does not exclude None).
 * - A nested object or array is described by a ShapeRef: { kind: 'object' | 'array', shape?: Shape, items?: FieldSpec }.
 * - freqtrade itself may emit null for a non-Optional float when it is NaN/Inf (orjson). For example profit_factor is +inf
 *   when there are no losses, and current_rate is NaN when there is no ticker. ft-edge should always emit numbers, so these
 *   stay typed as 'number'.
 */

export type FieldSpec = string;
export interface ShapeRef {
  kind: 'object' | 'array';
  /** shape of the object, or of each array element if it is an object */
  shape?: Shape;
  /** FieldSpec of each array element if it is a primitive / loosely typed */
  items?: FieldSpec;
}
export type Shape = { readonly [field: string]: FieldSpec | ShapeRef };

const arr = (shapeOrItems: Shape | FieldSpec): ShapeRef =>
  typeof shapeOrItems === 'string' ? { kind: 'array', items: shapeOrItems } : { kind: 'array', shape: shapeOrItems };

// ------------------------------------------------------------------ simple messages
export const PingShape: Shape = { status: 'string' };
export const VersionShape: Shape = { version: 'string' };
export const StatusMsgShape: Shape = { status: 'string' }; // start, stop, stopentry/stopbuy, reload_config
export const ResultMsgShape: Shape = { result: 'string' }; // forceexit/forcesell
export const AccessAndRefreshTokenShape: Shape = { access_token: 'string', refresh_token: 'string' };
export const AccessTokenShape: Shape = { access_token: 'string' };
export const HttpErrorShape: Shape = { detail: 'string' }; // HTTPException (401/404/405/503/502 pair_history)
export const ValidationErrorShape: Shape = { detail: arr('object') }; // 422
export const RpcErrorShape: Shape = { error: 'string' }; // RPCException → 502 "Error querying <path>: <msg>"

// ------------------------------------------------------------------ orders / trades
/** OrderSchema: orders[] inside /status, /trade/{id}, forceenter, open-order, reload */
export const OrderShape: Shape = {
  pair: 'string',
  order_id: 'string',
  status: 'string',
  remaining: 'number|null',
  amount: 'number',
  safe_price: 'number',
  cost: 'number',
  filled: 'number|null',
  ft_order_side: 'string', // 'buy' | 'sell' | 'stoploss'
  order_type: 'string',
  is_open: 'boolean',
  order_timestamp: 'integer|null', // ms
  order_filled_timestamp: 'integer|null', // ms
  ft_fee_base: 'number|null',
  ft_order_tag: 'string|null',
};

/** Order.to_json(): orders[] inside /trades (no response_model → superset of OrderShape) */
export const OrderJsonShape: Shape = {
  ...OrderShape,
  ft_is_entry: 'boolean',
  average: 'number', // round(average, 8) or 0
  order_date: 'string|null', // "YYYY-MM-DD HH:MM:SS"
  order_filled_date: 'string|null',
  price: 'number|null',
  funding_fee: 'number|null',
};

const TradeBaseFields = {
  trade_id: 'integer',
  pair: 'string',
  base_currency: 'string',
  quote_currency: 'string',
  is_open: 'boolean',
  is_short: 'boolean',
  exchange: 'string',
  amount: 'number',
  amount_requested: 'number',
  stake_amount: 'number',
  max_stake_amount: 'number|null',
  strategy: 'string',
  enter_tag: 'string|null',
  timeframe: 'integer', // minutes
  fee_open: 'number|null',
  fee_open_cost: 'number|null',
  fee_open_currency: 'string|null',
  fee_close: 'number|null',
  fee_close_cost: 'number|null',
  fee_close_currency: 'string|null',
  open_date: 'string', // "YYYY-MM-DD HH:MM:SS" UTC
  open_timestamp: 'integer', // ms
  open_fill_date: 'string|null',
  open_fill_timestamp: 'integer|null',
  open_rate: 'number',
  open_rate_requested: 'number|null',
  open_trade_value: 'number',
  close_date: 'string|null',
  close_timestamp: 'integer|null',
  close_rate: 'number|null',
  close_rate_requested: 'number|null',
  close_profit: 'number|null',
  close_profit_pct: 'number|null',
  close_profit_abs: 'number|null',
  profit_ratio: 'number|null',
  profit_pct: 'number|null',
  profit_abs: 'number|null',
  realized_profit: 'number',
  realized_profit_ratio: 'number|null',
  exit_reason: 'string|null',
  exit_order_status: 'string|null',
  stop_loss_abs: 'number|null',
  stop_loss_ratio: 'number|null',
  stop_loss_pct: 'number|null',
  stoploss_last_update: 'string|null',
  stoploss_last_update_timestamp: 'integer|null',
  initial_stop_loss_abs: 'number|null',
  initial_stop_loss_ratio: 'number|null',
  initial_stop_loss_pct: 'number|null',
  min_rate: 'number|null',
  max_rate: 'number|null',
  has_open_orders: 'boolean',
  leverage: 'number|null',
  interest_rate: 'number|null',
  liquidation_price: 'number|null',
  funding_fees: 'number|null',
  trading_mode: 'string|null', // 'spot' | 'margin' | 'futures'
  amount_precision: 'number|null',
  price_precision: 'number|null',
  precision_mode: 'integer|null',
} as const;

/** TradeSchema (forceenter/forcebuy success response) */
export const TradeShape: Shape = {
  ...TradeBaseFields,
  profit_fiat: 'number|null',
  orders: arr(OrderShape),
};

/** OpenTradeSchema: /status items, /trade/{id}, DELETE /trades/{id}/open-order, POST /trades/{id}/reload */
export const OpenTradeShape: Shape = {
  ...TradeShape,
  stoploss_current_dist: 'number|null',
  stoploss_current_dist_pct: 'number|null',
  stoploss_current_dist_ratio: 'number|null',
  stoploss_entry_dist: 'number|null',
  stoploss_entry_dist_ratio: 'number|null',
  current_rate: 'number',
  total_profit_abs: 'number',
  total_profit_fiat: 'number|null',
  total_profit_ratio: 'number|null',
};

/** Trade.to_json() as returned raw by GET /trades (no profit_fiat; extra duration/precision keys) */
export const TradeJsonShape: Shape = {
  ...TradeBaseFields,
  amount_requested: 'number|null', // to_json emits null when falsy (the schema would require a number)
  trade_duration_s: 'integer|null',
  trade_duration: 'integer|null', // minutes
  precision_mode_price: 'integer|null',
  contract_size: 'number|null',
  orders: arr(OrderJsonShape),
};

export const TradesResponseShape: Shape = {
  trades: arr(TradeJsonShape),
  trades_count: 'integer',
  offset: 'integer',
  total_trades: 'integer',
};

export const DeleteTradeShape: Shape = {
  cancel_order_count: 'integer',
  result: 'string',
  result_msg: 'string',
  trade_id: 'integer',
};

/** forceenter/forcebuy: either a TradeShape or a StatusMsgShape */
export const ForceEnterResponseShapes: readonly Shape[] = [TradeShape, StatusMsgShape];

// ------------------------------------------------------------------ stats
export const ProfitShape: Shape = {
  profit_closed_coin: 'number',
  profit_closed_percent_mean: 'number',
  profit_closed_ratio_mean: 'number',
  profit_closed_percent_sum: 'number',
  profit_closed_ratio_sum: 'number',
  profit_closed_percent: 'number',
  profit_closed_ratio: 'number',
  profit_closed_fiat: 'number',
  profit_all_coin: 'number',
  profit_all_percent_mean: 'number',
  profit_all_ratio_mean: 'number',
  profit_all_percent_sum: 'number',
  profit_all_ratio_sum: 'number',
  profit_all_percent: 'number',
  profit_all_ratio: 'number',
  profit_all_fiat: 'number',
  trade_count: 'integer',
  closed_trade_count: 'integer',
  first_trade_date: 'string', // "" if none
  first_trade_humanized: 'string',
  first_trade_timestamp: 'integer', // ms, 0 if none
  latest_trade_date: 'string',
  latest_trade_humanized: 'string',
  latest_trade_timestamp: 'integer',
  avg_duration: 'string', // "H:MM:SS" / "N days, H:MM:SS"
  best_pair: 'string',
  best_rate: 'number',
  best_pair_profit_ratio: 'number',
  winning_trades: 'integer',
  losing_trades: 'integer',
  profit_factor: 'number', // freqtrade: null when +inf (no losses)
  winrate: 'number',
  expectancy: 'number',
  expectancy_ratio: 'number',
  max_drawdown: 'number',
  max_drawdown_abs: 'number',
  max_drawdown_start: 'string',
  max_drawdown_start_timestamp: 'integer',
  max_drawdown_end: 'string',
  max_drawdown_end_timestamp: 'integer',
  trading_volume: 'number|null',
  bot_start_timestamp: 'integer',
  bot_start_date: 'string',
};

export const CountShape: Shape = { current: 'integer', max: 'integer', total_stake: 'number' };

const BaseStatsFields = {
  profit_ratio: 'number',
  profit_pct: 'number',
  profit_abs: 'number',
  count: 'integer',
} as const;
export const PerformanceEntryShape: Shape = { ...BaseStatsFields, pair: 'string', profit: 'number' };
export const EntryShape: Shape = { ...BaseStatsFields, enter_tag: 'string' };
export const ExitShape: Shape = { ...BaseStatsFields, exit_reason: 'string' };
export const MixTagShape: Shape = { ...BaseStatsFields, mix_tag: 'string' };

/** DailyWeeklyMonthlyRecord */
export const DailyEntryShape: Shape = {
  date: 'string', // "YYYY-MM-DD"
  abs_profit: 'number',
  rel_profit: 'number',
  starting_balance: 'number',
  fiat_value: 'number',
  trade_count: 'integer',
};
export const DailyWeeklyMonthlyShape: Shape = {
  data: arr(DailyEntryShape),
  fiat_display_currency: 'string',
  stake_currency: 'string',
};

// ------------------------------------------------------------------ balance
export const BalanceEntryShape: Shape = {
  currency: 'string',
  free: 'number',
  balance: 'number',
  used: 'number',
  bot_owned: 'number|null',
  est_stake: 'number',
  est_stake_bot: 'number|null',
  stake: 'string',
  side: 'string', // 'long' | 'short'
  is_position: 'boolean',
  position: 'number',
  is_bot_managed: 'boolean',
};
export const BalancesShape: Shape = {
  currencies: arr(BalanceEntryShape),
  total: 'number',
  total_bot: 'number',
  symbol: 'string',
  value: 'number',
  value_bot: 'number',
  stake: 'string',
  note: 'string',
  starting_capital: 'number',
  starting_capital_ratio: 'number',
  starting_capital_pct: 'number',
  starting_capital_fiat: 'number',
  starting_capital_fiat_ratio: 'number',
  starting_capital_fiat_pct: 'number',
};

// ------------------------------------------------------------------ pairlists / locks / logs
export const WhitelistShape: Shape = { whitelist: arr('string'), length: 'integer', method: arr('string') };
export const BlacklistShape: Shape = {
  blacklist: arr('string'),
  blacklist_expanded: arr('string'),
  errors: 'object', // { [pair]: { error_msg: string } }
  length: 'integer',
  method: arr('string'),
};
export const BlacklistErrorEntryShape: Shape = { error_msg: 'string' };

export const LockShape: Shape = {
  id: 'integer',
  active: 'boolean',
  lock_end_time: 'string', // "YYYY-MM-DD HH:MM:SS"
  lock_end_timestamp: 'integer', // ms
  lock_time: 'string',
  lock_timestamp: 'integer', // ms
  pair: 'string',
  side: 'string', // '*' | 'long' | 'short'
  reason: 'string|null',
};
export const LocksShape: Shape = { lock_count: 'integer', locks: arr(LockShape) };

/** logs[i] = [date "YYYY-MM-DD HH:MM:SS", epoch_ms (float), logger, level, message] */
export const LogLineTypes: readonly FieldSpec[] = ['string', 'number', 'string', 'string', 'string'];
export const LogsShape: Shape = { log_count: 'integer', logs: arr('array') };

// ------------------------------------------------------------------ system
export const SysInfoShape: Shape = { cpu_pct: arr('number'), ram_pct: 'number' };
export const HealthShape: Shape = {
  last_process: 'string|null', // ISO datetime
  last_process_ts: 'integer|null', // seconds
  bot_start: 'string|null',
  bot_start_ts: 'integer|null',
  bot_startup: 'string|null',
  bot_startup_ts: 'integer|null',
};

// ------------------------------------------------------------------ config
export const UnfilledTimeoutShape: Shape = {
  entry: 'integer|null',
  exit: 'integer|null',
  unit: 'string|null',
  exit_timeout_count: 'integer|null',
};
export const OrderTypesShape: Shape = {
  entry: 'string', // 'limit' | 'market'
  exit: 'string',
  emergency_exit: 'string|null',
  force_exit: 'string|null',
  force_entry: 'string|null',
  stoploss: 'string',
  stoploss_on_exchange: 'boolean',
  stoploss_on_exchange_interval: 'integer|null',
};
export const ShowConfigShape: Shape = {
  version: 'string',
  strategy_version: 'string|null',
  api_version: 'number',
  dry_run: 'boolean',
  trading_mode: 'string',
  short_allowed: 'boolean',
  stake_currency: 'string',
  stake_amount: 'string',
  available_capital: 'number|null',
  stake_currency_decimals: 'integer',
  max_open_trades: 'number', // -1 if unlimited
  minimal_roi: 'object',
  stoploss: 'number|null',
  stoploss_on_exchange: 'boolean',
  trailing_stop: 'boolean|null',
  trailing_stop_positive: 'number|null',
  trailing_stop_positive_offset: 'number|null',
  trailing_only_offset_is_reached: 'boolean|null',
  unfilledtimeout: 'object|null', // UnfilledTimeoutShape
  order_types: 'object|null', // OrderTypesShape
  use_custom_stoploss: 'boolean|null',
  timeframe: 'string|null',
  timeframe_ms: 'integer',
  timeframe_min: 'integer',
  exchange: 'string',
  strategy: 'string|null',
  force_entry_enable: 'boolean',
  exit_pricing: 'object',
  entry_pricing: 'object',
  bot_name: 'string',
  state: 'string', // 'running' | 'stopped' | 'reload_config'
  runmode: 'string', // 'live' | 'dry_run' | 'webserver' ...
  position_adjustment_enable: 'boolean',
  max_entry_position_adjustment: 'integer',
};
/** nested objects of ShowConfig, checked when non-null */
export const ShowConfigNested: Record<string, Shape> = {
  unfilledtimeout: UnfilledTimeoutShape,
  order_types: OrderTypesShape,
};

// ------------------------------------------------------------------ candles / plot
/** PairHistory: GET/POST /pair_candles, GET/POST /pair_history */
export const PairHistoryShape: Shape = {
  strategy: 'string',
  pair: 'string',
  timeframe: 'string',
  timeframe_ms: 'integer',
  columns: arr('string'),
  all_columns: arr('string'),
  data: arr('array'), // rows, each in `columns` order; cells number|string|null
  length: 'integer',
  buy_signals: 'integer',
  sell_signals: 'integer',
  enter_long_signals: 'integer',
  exit_long_signals: 'integer',
  enter_short_signals: 'integer',
  exit_short_signals: 'integer',
  last_analyzed: 'string', // ISO datetime
  last_analyzed_ts: 'integer', // seconds
  data_start_ts: 'integer', // ms (0 if empty)
  data_start: 'string', // "" if empty
  data_stop: 'string',
  data_stop_ts: 'integer',
};
/** PlotConfig is a RootModel[Union[{main_plot, subplots}, dict]]: usually this, or {} */
export const PlotConfigShape: Shape = { main_plot: 'object', subplots: 'object' };
export const AvailablePairsShape: Shape = {
  length: 'integer',
  pairs: arr('string'),
  pair_interval: arr('array'), // [pair, timeframe, candle_type]
};

// ------------------------------------------------------------------ websocket messages
export const WsWhitelistMessageShape: Shape = { type: 'string', data: arr('string') };
export const WsNewCandleMessageShape: Shape = { type: 'string', data: arr('string') }; // [pair, timeframe, candle_type]
export const WsExceptionMessageShape: Shape = { type: 'string', data: 'string' };
const WsEntryExitBase = {
  type: 'string',
  trade_id: 'integer',
  buy_tag: 'string|null',
  enter_tag: 'string|null',
  exchange: 'string',
  pair: 'string',
  base_currency: 'string',
  quote_currency: 'string',
  leverage: 'number|null',
  direction: 'string', // 'Long' | 'Short'
  limit: 'number',
  open_rate: 'number',
  order_type: 'string',
  stake_amount: 'number',
  stake_currency: 'string',
  fiat_currency: 'string|null',
  amount: 'number',
  open_date: 'string', // RFC 3339
  current_rate: 'number|null',
  sub_trade: 'boolean',
} as const;
export const WsEntryFillMessageShape: Shape = { ...WsEntryExitBase };
export const WsEntryCancelMessageShape: Shape = { ...WsEntryExitBase, reason: 'string' };
export const WsExitFillMessageShape: Shape = {
  ...WsEntryExitBase,
  gain: 'string', // 'profit' | 'loss'
  order_rate: 'number|null',
  close_rate: 'number',
  profit_amount: 'number',
  profit_ratio: 'number',
  exit_reason: 'string|null',
  close_date: 'string',
  cumulative_profit: 'number',
  final_profit_ratio: 'number|null',
  is_final_exit: 'boolean',
};
export const WsExitCancelMessageShape: Shape = {
  ...WsEntryExitBase,
  gain: 'string',
  profit_amount: 'number',
  profit_ratio: 'number',
  exit_reason: 'string|null',
  close_date: 'string',
  reason: 'string',
};

// ------------------------------------------------------------------ endpoint table
export interface EndpointSpec {
  method: 'GET' | 'POST' | 'DELETE';
  /** path under /api/v1 */
  path: string;
  auth: boolean;
  /** 'object' → body matches shape; 'array' → body is an array whose elements match shape */
  kind: 'object' | 'array';
  shape: Shape;
  /** true if FreqUI (trade mode, api_version 2.40) calls it */
  usedByFreqUI: boolean;
  note?: string;
}

export const ENDPOINTS: Record<string, EndpointSpec> = {
  ping: { method: 'GET', path: '/ping', auth: false, kind: 'object', shape: PingShape, usedByFreqUI: true },
  token_login: { method: 'POST', path: '/token/login', auth: false, kind: 'object', shape: AccessAndRefreshTokenShape, usedByFreqUI: true, note: 'HTTP Basic only' },
  token_refresh: { method: 'POST', path: '/token/refresh', auth: false, kind: 'object', shape: AccessTokenShape, usedByFreqUI: true, note: 'Bearer refresh token' },
  version: { method: 'GET', path: '/version', auth: true, kind: 'object', shape: VersionShape, usedByFreqUI: false },
  show_config: { method: 'GET', path: '/show_config', auth: true, kind: 'object', shape: ShowConfigShape, usedByFreqUI: true },
  status: { method: 'GET', path: '/status', auth: true, kind: 'array', shape: OpenTradeShape, usedByFreqUI: true, note: '[] if no open trades' },
  trades: { method: 'GET', path: '/trades', auth: true, kind: 'object', shape: TradesResponseShape, usedByFreqUI: true, note: '?limit=500&offset=N, closed trades, ascending id' },
  trade: { method: 'GET', path: '/trade/{id}', auth: true, kind: 'object', shape: OpenTradeShape, usedByFreqUI: false, note: '404 {"detail":"Trade not found."}' },
  trade_delete: { method: 'DELETE', path: '/trades/{id}', auth: true, kind: 'object', shape: DeleteTradeShape, usedByFreqUI: true },
  trade_cancel_open_order: { method: 'DELETE', path: '/trades/{id}/open-order', auth: true, kind: 'object', shape: OpenTradeShape, usedByFreqUI: true },
  trade_reload: { method: 'POST', path: '/trades/{id}/reload', auth: true, kind: 'object', shape: OpenTradeShape, usedByFreqUI: true },
  profit: { method: 'GET', path: '/profit', auth: true, kind: 'object', shape: ProfitShape, usedByFreqUI: true },
  balance: { method: 'GET', path: '/balance', auth: true, kind: 'object', shape: BalancesShape, usedByFreqUI: true },
  count: { method: 'GET', path: '/count', auth: true, kind: 'object', shape: CountShape, usedByFreqUI: false, note: '502 if not running' },
  performance: { method: 'GET', path: '/performance', auth: true, kind: 'array', shape: PerformanceEntryShape, usedByFreqUI: true },
  entries: { method: 'GET', path: '/entries', auth: true, kind: 'array', shape: EntryShape, usedByFreqUI: true, note: '?pair= optional' },
  exits: { method: 'GET', path: '/exits', auth: true, kind: 'array', shape: ExitShape, usedByFreqUI: true, note: '?pair= optional' },
  mix_tags: { method: 'GET', path: '/mix_tags', auth: true, kind: 'array', shape: MixTagShape, usedByFreqUI: true, note: '?pair= optional' },
  daily: { method: 'GET', path: '/daily', auth: true, kind: 'object', shape: DailyWeeklyMonthlyShape, usedByFreqUI: true, note: '?timescale=7 default' },
  weekly: { method: 'GET', path: '/weekly', auth: true, kind: 'object', shape: DailyWeeklyMonthlyShape, usedByFreqUI: true, note: '?timescale=4 default' },
  monthly: { method: 'GET', path: '/monthly', auth: true, kind: 'object', shape: DailyWeeklyMonthlyShape, usedByFreqUI: true, note: '?timescale=3 default' },
  whitelist: { method: 'GET', path: '/whitelist', auth: true, kind: 'object', shape: WhitelistShape, usedByFreqUI: true },
  blacklist: { method: 'GET', path: '/blacklist', auth: true, kind: 'object', shape: BlacklistShape, usedByFreqUI: true },
  blacklist_add: { method: 'POST', path: '/blacklist', auth: true, kind: 'object', shape: BlacklistShape, usedByFreqUI: true, note: 'body {blacklist: string[]}' },
  blacklist_delete: { method: 'DELETE', path: '/blacklist', auth: true, kind: 'object', shape: BlacklistShape, usedByFreqUI: true, note: '?pairs_to_delete=A&pairs_to_delete=B' },
  locks: { method: 'GET', path: '/locks', auth: true, kind: 'object', shape: LocksShape, usedByFreqUI: true },
  lock_delete: { method: 'DELETE', path: '/locks/{id}', auth: true, kind: 'object', shape: LocksShape, usedByFreqUI: true },
  logs: { method: 'GET', path: '/logs', auth: true, kind: 'object', shape: LogsShape, usedByFreqUI: true, note: '?limit= optional' },
  health: { method: 'GET', path: '/health', auth: true, kind: 'object', shape: HealthShape, usedByFreqUI: false },
  sysinfo: { method: 'GET', path: '/sysinfo', auth: true, kind: 'object', shape: SysInfoShape, usedByFreqUI: false },
  pair_candles_get: { method: 'GET', path: '/pair_candles', auth: true, kind: 'object', shape: PairHistoryShape, usedByFreqUI: false, note: '?pair&timeframe[&limit]; used by FreqUI only if api<2.35' },
  pair_candles_post: { method: 'POST', path: '/pair_candles', auth: true, kind: 'object', shape: PairHistoryShape, usedByFreqUI: true, note: 'body {pair, timeframe, limit?, columns?}' },
  pair_history: { method: 'GET', path: '/pair_history', auth: true, kind: 'object', shape: PairHistoryShape, usedByFreqUI: false, note: 'webserver mode' },
  available_pairs: { method: 'GET', path: '/available_pairs', auth: true, kind: 'object', shape: AvailablePairsShape, usedByFreqUI: false, note: 'webserver mode chart' },
  plot_config: { method: 'GET', path: '/plot_config', auth: true, kind: 'object', shape: PlotConfigShape, usedByFreqUI: true, note: 'may be {}' },
  start: { method: 'POST', path: '/start', auth: true, kind: 'object', shape: StatusMsgShape, usedByFreqUI: true },
  stop: { method: 'POST', path: '/stop', auth: true, kind: 'object', shape: StatusMsgShape, usedByFreqUI: true },
  stopentry: { method: 'POST', path: '/stopentry', auth: true, kind: 'object', shape: StatusMsgShape, usedByFreqUI: false },
  stopbuy: { method: 'POST', path: '/stopbuy', auth: true, kind: 'object', shape: StatusMsgShape, usedByFreqUI: true, note: 'alias of /stopentry' },
  reload_config: { method: 'POST', path: '/reload_config', auth: true, kind: 'object', shape: StatusMsgShape, usedByFreqUI: true },
  forceexit: { method: 'POST', path: '/forceexit', auth: true, kind: 'object', shape: ResultMsgShape, usedByFreqUI: false, note: 'body {tradeid, ordertype?, amount?}' },
  forcesell: { method: 'POST', path: '/forcesell', auth: true, kind: 'object', shape: ResultMsgShape, usedByFreqUI: true, note: 'alias of /forceexit' },
  forceenter: { method: 'POST', path: '/forceenter', auth: true, kind: 'object', shape: TradeShape, usedByFreqUI: false, note: 'or StatusMsgShape' },
  forcebuy: { method: 'POST', path: '/forcebuy', auth: true, kind: 'object', shape: TradeShape, usedByFreqUI: true, note: 'alias of /forceenter; or StatusMsgShape' },
};

// ------------------------------------------------------------------ checker
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v; // 'string' | 'number' | 'boolean' | 'object' | ...
}

/** true if value matches a '|'-joined FieldSpec ('integer' = integral number) */
export function matchesSpec(value: unknown, spec: FieldSpec): boolean {
  const t = jsonTypeOf(value);
  return spec.split('|').some((s) => {
    if (s === 'integer') return t === 'number' && Number.isInteger(value as number);
    if (s === 'number') return t === 'number' && Number.isFinite(value as number);
    return s === t;
  });
}

/**
 * Check `value` against `shape`. Returns a list of problems ("path: message"); empty = OK.
 * `allowExtra` (default true) tolerates keys that the shape does not list.
 */
export function checkShape(value: unknown, shape: Shape, path = '$', allowExtra = true): string[] {
  const errors: string[] = [];
  if (jsonTypeOf(value) !== 'object') return [`${path}: expected object, got ${jsonTypeOf(value)}`];
  const o = value as Record<string, unknown>;
  for (const [key, spec] of Object.entries(shape)) {
    const p = `${path}.${key}`;
    if (!(key in o)) {
      errors.push(`${p}: missing`);
      continue;
    }
    const v = o[key];
    if (typeof spec === 'string') {
      if (!matchesSpec(v, spec)) errors.push(`${p}: expected ${spec}, got ${jsonTypeOf(v)}`);
      continue;
    }
    if (spec.kind === 'object') {
      if (spec.shape) errors.push(...checkShape(v, spec.shape, p, allowExtra));
      else if (jsonTypeOf(v) !== 'object') errors.push(`${p}: expected object`);
      continue;
    }
    if (!Array.isArray(v)) {
      errors.push(`${p}: expected array, got ${jsonTypeOf(v)}`);
      continue;
    }
    v.forEach((el, i) => {
      if (spec.shape) errors.push(...checkShape(el, spec.shape, `${p}[${i}]`, allowExtra));
      else if (spec.items && !matchesSpec(el, spec.items)) errors.push(`${p}[${i}]: expected ${spec.items}`);
    });
  }
  if (!allowExtra) {
    for (const key of Object.keys(o)) if (!(key in shape)) errors.push(`${path}.${key}: unexpected key`);
  }
  return errors;
}

/** Check a whole endpoint response body against its EndpointSpec. */
export function checkEndpoint(name: keyof typeof ENDPOINTS, body: unknown, allowExtra = true): string[] {
  const spec = ENDPOINTS[name];
  if (!spec) return [`unknown endpoint ${String(name)}`];
  if (spec.kind === 'array') {
    if (!Array.isArray(body)) return [`$: expected array, got ${jsonTypeOf(body)}`];
    return body.flatMap((el, i) => checkShape(el, spec.shape, `$[${i}]`, allowExtra));
  }
  return checkShape(body, spec.shape, '$', allowExtra);
}
