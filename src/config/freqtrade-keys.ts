/**
 * The top-level keys of a freqtrade configuration (freqtrade's config_schema.py, 2024.10, and the keys its
 * configuration loader and bot read beside the schema). A key in this list that ft-edge does not implement is
 * named in one warning and otherwise ignored; a key in neither list is a mistake.
 */
export const FREQTRADE_KEYS: ReadonlySet<string> = new Set([
  '$schema', 'max_open_trades', 'timeframe', 'stake_currency', 'stake_amount', 'tradable_balance_ratio',
  'available_capital', 'amend_last_stake_amount', 'last_stake_amount_min_ratio', 'fiat_display_currency', 'dry_run',
  'dry_run_wallet', 'cancel_open_orders_on_exit', 'process_only_new_candles', 'minimal_roi', 'amount_reserve_percent',
  'stoploss', 'trailing_stop', 'trailing_stop_positive', 'trailing_stop_positive_offset',
  'trailing_only_offset_is_reached', 'use_exit_signal', 'exit_profit_only', 'exit_profit_offset', 'fee',
  'ignore_roi_if_entry_signal', 'ignore_buying_expired_candle_after', 'trading_mode', 'margin_mode',
  'reduce_df_footprint', 'minimum_trade_amount', 'targeted_trade_amount', 'lookahead_analysis_exportfilename',
  'startup_candle', 'liquidation_buffer', 'backtest_breakdown', 'bot_name', 'unfilledtimeout', 'entry_pricing',
  'exit_pricing', 'custom_price_max_distance_ratio', 'order_types', 'order_time_in_force', 'coingecko', 'exchange',
  'edge', 'freqai', 'external_message_consumer', 'experimental', 'pairlists', 'telegram', 'webhook', 'discord',
  'api_server', 'db_url', 'export', 'disableparamexport', 'initial_state', 'force_entry_enable',
  'disable_dataframe_checks', 'internals', 'dataformat_ohlcv', 'dataformat_trades', 'position_adjustment_enable',
  'new_pairs_days', 'download_trades', 'max_entry_position_adjustment', 'add_config_files', 'orderflow',
  // read by freqtrade beside the schema
  'strategy', 'strategy_path', 'recursive_strategy_search', 'user_data_dir', 'datadir', 'logfile', 'verbosity',
  'protections', 'timeframe_detail', 'config_files', 'runmode', 'pairs', 'timerange', 'exportfilename',
  'hyperopt_loss', 'epochs', 'spaces', 'freqaimodel', 'freqaimodel_path', 'position_stacking',
  'enable_protections',
]);
