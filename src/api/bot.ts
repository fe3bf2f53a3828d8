/**
 * What the REST API reads and steers of the daemon, and the bot-wide views built from it in freqtrade's shapes
 * (api_schemas.py): show_config, balance, count, whitelist, health, sysinfo, logs.
 */
import { cpus, freemem, totalmem } from 'node:os';
import type { Config } from '../config/index.js';
import { freqtradeTrade, ftDate, type PricedAt, type Trade, type TradeBook } from '../journal/index.js';
import type { RecentLogs } from '../log.js';
import { timeframeMs } from '../protocol/index.js';
import type { FrameStore } from '../store/index.js';
import type { StrategyStatus, Trading } from '../strategy/index.js';

/** freqtrade's API version advertised: the features FreqUI enables (2.34: pair_candles by POST with columns). */
export const API_VERSION = 2.34;

export interface BotSources {
  readonly config: Config;
  /** ft-edge's version, for /version and show_config. */
  readonly version: string;
  /** When this daemon started (epoch ms). */
  readonly startedAt: number;
  readonly trading: Pick<Trading, 'status' | 'book' | 'settings' | 'stopEntries' | 'forceExit'>;
  readonly store: FrameStore;
  readonly logs: RecentLogs | null;
}

/** The running strategy's status, or null while trading is off. */
export function running(bot: BotSources): StrategyStatus | null {
  const s = bot.trading.status();
  return s.running ? s : null;
}

/** Open trades' prices by trade id. */
export function prices(status: StrategyStatus | null): Map<number, PricedAt> {
  return new Map((status?.open_positions ?? []).map((p) => [p.trade_id, p]));
}

/** freqtrade's exchange name for messages and trades: the exchange block's, or none in a dry-run without one. */
export function exchangeName(config: Config): string {
  return config.exchange?.name ?? '';
}

/** Trades in freqtrade's shape, each with its orders. */
export function tradesJson(bot: BotSources, book: TradeBook, trades: readonly Trade[], status: StrategyStatus | null): Record<string, unknown>[] {
  const orders = book.ordersOf(trades.map((t) => t.id));
  const at = prices(status);
  return trades.map((t) => freqtradeTrade(t, orders.filter((o) => o.tradeId === t.id), exchangeName(bot.config), at.get(t.id)));
}

/** The stake currency held: free, in open trades, and what it started from. */
export interface Wallet {
  readonly starting: number;
  readonly total: number;
  readonly used: number;
  readonly free: number;
}

export function wallet(bot: BotSources, status: StrategyStatus): Wallet {
  const book = bot.trading.book();
  const used = (book?.openTrades() ?? []).reduce((s, t) => s + t.stakeAmount, 0);
  const ratio = bot.trading.settings()?.tradable_balance_ratio ?? 1;
  // Dry-run: the simulated wallet plus what closed. Live: the broker's stake view, total = (available + used) / ratio.
  const total = status.mode === 'dry_run' ? bot.config.dry_run_wallet + status.realised_profit : (status.available_stake + used) / ratio;
  return { starting: total - status.realised_profit, total, used, free: total - used };
}

/** The strategy's timeframe, else the configured one, else that of the first held key. */
function timeframe(bot: BotSources, status: StrategyStatus | null): string | null {
  return status?.timeframe ?? bot.config.timeframe ?? bot.store.keys()[Symbol.iterator]().next().value?.key.timeframe ?? null;
}

export function showConfig(bot: BotSources): Record<string, unknown> {
  const c = bot.config;
  const status = running(bot);
  const settings = bot.trading.settings();
  const tf = timeframe(bot, status);
  const tfMs = tf === null ? 0 : timeframeMs(tf) ?? 0;
  const maxOpen = settings?.max_open_trades ?? c.max_open_trades;
  const ot = c.order_types;
  return {
    version: bot.version,
    strategy_version: null,
    api_version: API_VERSION,
    dry_run: c.live === null,
    trading_mode: c.trading_mode,
    short_allowed: c.trading_mode !== 'spot',
    stake_currency: c.stake_currency,
    stake_amount: String(c.stake_amount),
    available_capital: null,
    stake_currency_decimals: c.stake_currency === 'BTC' ? 8 : c.stake_currency === 'ETH' ? 5 : 3,
    max_open_trades: Number.isFinite(maxOpen) && maxOpen >= 0 ? maxOpen : -1,
    minimal_roi: settings === null ? c.minimal_roi ?? {} : Object.fromEntries(settings.minimal_roi.map((r) => [String(r.minutes), r.ratio])),
    stoploss: settings?.stoploss ?? c.stoploss,
    stoploss_on_exchange: false,
    trailing_stop: false,
    trailing_stop_positive: null,
    trailing_stop_positive_offset: null,
    trailing_only_offset_is_reached: null,
    unfilledtimeout: c.unfilledtimeout,
    order_types: {
      entry: ot.entry, exit: ot.exit, emergency_exit: ot.emergency_exit ?? null, force_exit: ot.force_exit ?? null,
      force_entry: ot.force_entry ?? null, stoploss: ot.stoploss, stoploss_on_exchange: false, stoploss_on_exchange_interval: null,
    },
    use_custom_stoploss: false,
    timeframe: tf,
    timeframe_ms: tfMs,
    timeframe_min: Math.round(tfMs / 60_000),
    exchange: exchangeName(c),
    strategy: settings?.strategy ?? c.strategy,
    force_entry_enable: false,
    exit_pricing: c.exit_pricing,
    entry_pricing: c.entry_pricing,
    bot_name: 'ft-edge',
    state: status !== null && !status.entries_stopped ? 'running' : 'stopped',
    runmode: c.live === null ? 'dry_run' : 'live',
    position_adjustment_enable: false,
    max_entry_position_adjustment: -1,
  };
}

export function balance(bot: BotSources): Record<string, unknown> {
  const status = running(bot);
  const stake = bot.config.stake_currency;
  const w = status === null ? { starting: 0, total: 0, used: 0, free: 0 } : wallet(bot, status);
  const at = prices(status);
  const coins = (bot.trading.book()?.openTrades() ?? []).map((t) => {
    const rate = at.get(t.id)?.current_rate ?? t.openRate;
    const base = t.pair.split(/[/:]/)[0]!;
    return {
      currency: base, free: t.amount, balance: t.amount, used: 0, bot_owned: t.amount, est_stake: t.amount * rate,
      est_stake_bot: t.amount * rate, stake, side: 'long', is_position: false, position: 0, is_bot_managed: true,
    };
  });
  const currencies = [
    { currency: stake, free: w.free, balance: w.free, used: 0, bot_owned: w.free, est_stake: w.free, est_stake_bot: w.free, stake, side: 'long', is_position: false, position: 0, is_bot_managed: true },
    ...coins,
  ];
  const total = currencies.reduce((s, c) => s + c.est_stake, 0);
  const ratio = w.starting > 0 ? total / w.starting - 1 : 0;
  return {
    currencies, total, total_bot: total, symbol: '', value: 0, value_bot: 0, stake,
    note: bot.config.live === null ? 'Simulated balances' : '',
    starting_capital: w.starting, starting_capital_ratio: ratio, starting_capital_pct: Number((ratio * 100).toFixed(2)),
    starting_capital_fiat: 0, starting_capital_fiat_ratio: 0, starting_capital_fiat_pct: 0,
  };
}

/** Every producer's whitelist, in configuration order, each pair once. */
export function whitelist(bot: BotSources): string[] {
  const pairs = new Set<string>();
  for (const p of bot.config.external_message_consumer.producers) for (const pair of bot.store.producerPairs(p.name)) pairs.add(pair);
  return [...pairs];
}

const LEVELS = { error: 'ERROR', warn: 'WARNING', info: 'INFO', debug: 'DEBUG' } as const;

export function logs(bot: BotSources, limit: number | undefined): Record<string, unknown> {
  const lines = bot.logs?.last(limit) ?? [];
  return {
    log_count: lines.length,
    logs: lines.map((l) => [ftDate(l.at), l.at, l.scope === '' ? 'ft-edge' : `ft-edge.${l.scope.replace(/\//g, '.')}`, LEVELS[l.level], l.msg]),
  };
}

export function health(bot: BotSources, lastProcess: number | null): Record<string, unknown> {
  const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
  const s = (ms: number | null): number | null => (ms === null ? null : Math.floor(ms / 1000));
  return {
    last_process: iso(lastProcess), last_process_ts: s(lastProcess),
    bot_start: iso(bot.startedAt), bot_start_ts: s(bot.startedAt),
    bot_startup: iso(bot.startedAt), bot_startup_ts: s(bot.startedAt),
  };
}

/** CPU use per core since the previous call (freqtrade's psutil blocks a second to measure; this does not). */
export class CpuMeter {
  private last = cpus().map((c) => c.times);

  sysinfo(): Record<string, unknown> {
    const now = cpus().map((c) => c.times);
    const pct = now.map((t, i) => {
      const p = this.last[i] ?? t;
      const busy = t.user + t.nice + t.sys + t.irq - (p.user + p.nice + p.sys + p.irq);
      const all = busy + t.idle - p.idle;
      return all > 0 ? Number(((busy / all) * 100).toFixed(1)) : 0;
    });
    this.last = now;
    return { cpu_pct: pct, ram_pct: Number(((1 - freemem() / totalmem()) * 100).toFixed(1)) };
  }
}
