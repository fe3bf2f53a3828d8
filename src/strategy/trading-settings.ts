/**
 * Turns the config's freqtrade trading keys, with the strategy's defaults for minimal_roi and stoploss (the
 * config wins, as in freqtrade), into the broker's TradingSettings, or into one-line problems.
 */
import type { TradingSettings } from './dry-run-broker.js';
import type { LoadedStrategy } from './strategy-loader.js';
import { parseRoi } from './trade-math.js';

/** The config keys trading reads, with freqtrade's names and meanings. */
export interface TradingConfig {
  readonly dry_run: boolean;
  readonly dry_run_wallet: number;
  readonly stake_currency: string;
  readonly stake_amount: number | 'unlimited';
  /** -1: no limit. */
  readonly max_open_trades: number;
  /** Absent or null: the strategy's. */
  readonly minimal_roi?: Readonly<Record<string, number>> | null | undefined;
  /** Absent or null: the strategy's. */
  readonly stoploss?: number | null | undefined;
  /** Default 0.99, as in freqtrade. */
  readonly tradable_balance_ratio?: number | undefined;
  /** Fee ratio per side for dry-run fills; default 0.001 (a common exchange taker fee). */
  readonly fee?: number | null | undefined;
}

export const DEFAULT_FEE = 0.001;
export const DEFAULT_TRADABLE_BALANCE_RATIO = 0.99;

export type SettingsResult = { ok: true; settings: TradingSettings } | { ok: false; problems: string[] };

export function resolveTradingSettings(cfg: TradingConfig, strategy: LoadedStrategy): SettingsResult {
  const problems: string[] = [];
  const name = strategy.definition.name;
  if (cfg.dry_run !== true) problems.push('dry_run is false, but ft-edge only trades dry-run: set "dry_run": true');
  if (!(Number.isFinite(cfg.dry_run_wallet) && cfg.dry_run_wallet > 0)) {
    problems.push(`dry_run_wallet must be a positive number, got ${JSON.stringify(cfg.dry_run_wallet)}`);
  }
  if (typeof cfg.stake_currency !== 'string' || cfg.stake_currency === '') problems.push('stake_currency must be set (e.g. "USDT")');
  const stake = cfg.stake_amount;
  if (stake !== 'unlimited' && !(typeof stake === 'number' && Number.isFinite(stake) && stake > 0)) {
    problems.push(`stake_amount must be a positive number or "unlimited", got ${JSON.stringify(stake)}`);
  }
  const mot = cfg.max_open_trades;
  if (!(Number.isInteger(mot) && mot >= -1)) {
    problems.push(`max_open_trades must be a whole number >= -1 (-1 = no limit), got ${JSON.stringify(mot)}`);
  } else if (mot === -1 && stake === 'unlimited') {
    problems.push('stake_amount "unlimited" needs a max_open_trades limit to divide the wallet by');
  }
  const roiSource = cfg.minimal_roi ?? strategy.definition.minimal_roi;
  const roi = roiSource === undefined ? `minimal_roi is set neither in the config nor by strategy ${name}` : parseRoi(roiSource);
  if (typeof roi === 'string') problems.push(roi);
  const stoploss = cfg.stoploss ?? strategy.definition.stoploss;
  if (stoploss === undefined) {
    problems.push(`stoploss is set neither in the config nor by strategy ${name}`);
  } else if (!(stoploss >= -1 && stoploss < 0)) {
    problems.push(`stoploss must be a negative ratio from -1 to 0 (-0.10 = 10 % below the open rate), got ${stoploss}`);
  }
  const fee = cfg.fee ?? DEFAULT_FEE;
  if (!(fee >= 0 && fee < 0.1)) problems.push(`fee must be a ratio from 0 to 0.1, got ${fee}`);
  const ratio = cfg.tradable_balance_ratio ?? DEFAULT_TRADABLE_BALANCE_RATIO;
  if (!(ratio > 0 && ratio <= 1)) problems.push(`tradable_balance_ratio must be in (0, 1], got ${ratio}`);
  if (problems.length > 0 || typeof roi === 'string' || stoploss === undefined) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      strategy: name,
      dry_run_wallet: cfg.dry_run_wallet,
      stake_currency: cfg.stake_currency,
      stake_amount: stake,
      max_open_trades: mot === -1 ? Infinity : mot,
      tradable_balance_ratio: ratio,
      fee,
      minimal_roi: roi,
      stoploss,
    },
  };
}
