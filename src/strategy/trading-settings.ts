/**
 * Turns the config's freqtrade trading keys, with the strategy's defaults for minimal_roi and stoploss (the
 * config wins, as in freqtrade), into the broker's TradingSettings. The config schema has checked every key; what
 * is left to go wrong is a value that neither the config nor the strategy sets.
 */
import type { Config } from '../config/index.js';
import type { TradingSettings } from './broker.js';
import type { LoadedStrategy } from './strategy-loader.js';
import { parseRoi } from './trade-math.js';

/** The config keys trading reads, with freqtrade's names and meanings. */
export type TradingConfig = Pick<Config,
  'dry_run_wallet' | 'stake_currency' | 'stake_amount' | 'max_open_trades' | 'minimal_roi' | 'stoploss' | 'tradable_balance_ratio' | 'fee'>;

export type SettingsResult = { ok: true; settings: TradingSettings } | { ok: false; problems: string[] };

export function resolveTradingSettings(cfg: TradingConfig, strategy: LoadedStrategy): SettingsResult {
  const name = strategy.definition.name;
  const roiSource = cfg.minimal_roi ?? strategy.definition.minimal_roi;
  const roi = roiSource === undefined ? `minimal_roi is set neither in the config nor by strategy ${name}` : parseRoi(roiSource);
  const stoploss = cfg.stoploss ?? strategy.definition.stoploss;
  const problems = [
    ...(typeof roi === 'string' ? [roi] : []),
    ...(stoploss === undefined ? [`stoploss is set neither in the config nor by strategy ${name}`] : []),
  ];
  if (typeof roi === 'string' || stoploss === undefined) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      strategy: name,
      dry_run_wallet: cfg.dry_run_wallet,
      stake_currency: cfg.stake_currency,
      stake_amount: cfg.stake_amount,
      max_open_trades: cfg.max_open_trades === -1 ? Infinity : cfg.max_open_trades,
      tradable_balance_ratio: cfg.tradable_balance_ratio,
      fee: cfg.fee,
      minimal_roi: roi,
      stoploss,
    },
  };
}
