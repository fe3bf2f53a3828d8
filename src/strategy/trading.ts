/**
 * The trading service the daemon runs: loads the configured strategy, opens the journal in the state
 * directory, resumes open trades, and runs the strategy on the stored frames it hears of. A strategy or journal
 * that cannot start is reported (one line per problem, and "trading-off" on the problem board) and leaves the
 * daemon ingesting without trading; it never stops the daemon. Opened and closed trades go out on the event
 * stream once the journal holds them.
 */
import type { Config } from '../config/index.js';
import type { DaemonBus, ProblemBoard } from '../events/index.js';
import type { Logger } from '../log.js';
import { Journal, journalPath, type TradeBook } from '../journal/index.js';
import type { ExchangeClient } from '../exchange/index.js';
import type { Broker, TradeListener, TradingSettings } from './broker.js';
import { DryRunBroker } from './dry-run-broker.js';
import { LiveBroker } from './live-broker.js';
import type { FrameSource } from './frame-context.js';
import { StrategyRuntime, type RuntimeOptions, type StrategyStatus } from './runtime.js';
import { startupWarnings } from './startup-checks.js';
import { loadStrategy } from './strategy-loader.js';
import { resolveTradingSettings } from './trading-settings.js';

/** The config keys trading reads (all of them freqtrade's, but `store`). */
export type TradingDaemonConfig = Pick<Config,
  | 'strategy' | 'strategy_params' | 'timeframe' | 'datadir' | 'dry_run' | 'dry_run_wallet' | 'stake_currency'
  | 'stake_amount' | 'max_open_trades' | 'minimal_roi' | 'stoploss' | 'tradable_balance_ratio' | 'fee'
  | 'external_message_consumer' | 'store' | 'live' | 'trading_mode' | 'exchange' | 'order_types' | 'entry_pricing'
  | 'exit_pricing' | 'unfilledtimeout'>;

export type TradingStatus =
  | ({ readonly running: true } & StrategyStatus)
  | { readonly running: false; readonly strategy: string; readonly problems: readonly string[] };

/**
 * What `Trading.start()` would find wrong with the strategy and its trading settings, without starting anything
 * (`ft-edge check-config`).
 */
export async function checkTradingConfig(cfg: TradingDaemonConfig): Promise<string[]> {
  const loaded = await loadStrategy(cfg.strategy, { params: cfg.strategy_params, timeframe: cfg.timeframe });
  if (!loaded.ok) return loaded.problems;
  const settings = resolveTradingSettings(cfg, loaded.strategy);
  return settings.ok ? [] : settings.problems;
}

/** How often a journal that could not be written is tried again while nothing else writes. */
const JOURNAL_RECHECK_MS = 30_000;

export interface TradingOptions {
  readonly config: TradingDaemonConfig;
  readonly frames: FrameSource;
  readonly bus: DaemonBus;
  readonly problems: ProblemBoard;
  readonly isProducerConnected: (producer: string) => boolean;
  readonly log: Logger;
  readonly runtime?: RuntimeOptions;
}

export class Trading {
  private journal: Journal | null = null;
  private broker: Broker | null = null;
  private journalCheck: NodeJS.Timeout | undefined;
  private runtime: StrategyRuntime | null = null;
  private resolved: TradingSettings | null = null;
  private offReasons: string[] = ['not started'];
  private readonly config: TradingDaemonConfig;
  private readonly log: Logger;

  constructor(private readonly opts: TradingOptions) {
    this.config = opts.config;
    this.log = opts.log;
  }

  async start(): Promise<void> {
    if (this.runtime !== null) return;
    const cfg = this.config;
    const loaded = await loadStrategy(cfg.strategy, { params: cfg.strategy_params, timeframe: cfg.timeframe });
    if (!loaded.ok) return this.disable(loaded.problems);
    const strategy = loaded.strategy;
    const settings = resolveTradingSettings(cfg, strategy);
    if (!settings.ok) return this.disable(settings.problems);
    const emc = cfg.external_message_consumer;
    const env = { producers: emc.producers.map((p) => p.name), removeEntryExitSignals: emc.remove_entry_exit_signals, projection: cfg.store.columns };
    for (const w of startupWarnings(strategy, env)) this.log.warn(w);
    const journal = new Journal(journalPath(cfg.datadir));
    try {
      await journal.start();
    } catch (e) {
      return this.disable([(e as Error).message]);
    }
    const { bus, problems } = this.opts;
    const onTrade: TradeListener = (...change) => bus.emit('trade', ...change);
    const onJournal = (problem: string | null): void => this.journalHealth(problem);
    let broker: Broker;
    if (cfg.live === null) {
      broker = new DryRunBroker(settings.settings, journal, this.log, Date.now, onTrade, onJournal);
    } else {
      this.log.warn(`live trading is ON: real orders on ${cfg.live.exchange} ${cfg.trading_mode}, stake currency ${cfg.stake_currency}`);
      let exchange: ExchangeClient;
      try {
        // Loaded only now: ccxt's exchange class costs tens of MB, which dry-run never pays.
        const { ExchangeClient: Client } = await import('../exchange/index.js');
        exchange = await Client.open(cfg.live);
      } catch (e) {
        await journal.stop();
        return this.disable([`cannot load the ${cfg.live.exchange} exchange: ${(e as Error).message}`]);
      }
      broker = new LiveBroker(settings.settings, journal, this.log, Date.now, onTrade, onJournal).attach({
        exchange, orders: cfg, marketsRefreshMin: cfg.live.markets_refresh_interval,
        onAuth: (problem) => problems.set('exchange-auth', problem),
      });
    }
    try {
      await broker.start();
    } catch (e) {
      await broker.stop();
      await journal.stop();
      return this.disable([`journal ${journalPath(cfg.datadir)}: ${(e as Error).message}`]);
    }
    const runtime = new StrategyRuntime(
      strategy,
      this.opts.frames,
      (listener) => bus.on('frame-stored', listener),
      broker,
      this.log,
      this.opts.isProducerConnected,
      { ...this.opts.runtime, onDisabled: (why) => problems.raise('strategy-disabled', `strategy disabled: ${why}`) },
    );
    await runtime.start();
    const s = settings.settings;
    this.log.info(`${cfg.live === null ? `dry-run: wallet ${s.dry_run_wallet} ${s.stake_currency}` : `live on ${cfg.live.exchange}`}, stake ${s.stake_amount}, ` +
      `max_open_trades ${Number.isFinite(s.max_open_trades) ? s.max_open_trades : 'unlimited'}, stoploss ${s.stoploss}, ` +
      `minimal_roi ${JSON.stringify(Object.fromEntries(s.minimal_roi.map((r) => [r.minutes, r.ratio])))}, fee ${s.fee}; ` +
      `journal ${journalPath(cfg.datadir)}`);
    this.journal = journal;
    this.broker = broker;
    this.runtime = runtime;
    this.resolved = s;
    this.offReasons = [];
    problems.clear('trading-off');
  }

  async stop(): Promise<void> {
    const runtime = this.runtime;
    const journal = this.journal;
    this.runtime = null;
    this.resolved = null;
    this.journal = null;
    this.offReasons = ['stopped'];
    this.broker = null;
    clearInterval(this.journalCheck);
    this.journalCheck = undefined;
    this.opts.problems.clear('strategy-disabled');
    this.opts.problems.clear('journal-write');
    await runtime?.stop();
    await journal?.stop();
  }

  /** Open trades, realised profit, last decision, disabled strategy/keys and why entries wait; or why trading is off. */
  status(): TradingStatus {
    if (this.runtime === null) return { running: false, strategy: this.config.strategy, problems: this.offReasons };
    return { running: true, ...this.runtime.status() };
  }

  /** The settings trading runs with (the configuration over the strategy's own); null while trading is off. */
  settings(): TradingSettings | null {
    return this.resolved;
  }

  /** The journal, to read; null while trading is off. */
  book(): TradeBook | null {
    return this.journal;
  }

  /** Open dry-run trades; null while trading is off (the appliance's status line). */
  openTrades(): number | null {
    return this.runtime === null ? null : this.runtime.status().open_trades;
  }

  /** freqtrade's stopentry (true) / start (false); false when trading is off. */
  stopEntries(stopped: boolean): boolean {
    this.runtime?.stopEntries(stopped);
    return this.runtime !== null;
  }

  /** freqtrade's forceexit: one trade by id, or all. */
  async forceExit(target: number | 'all'): Promise<string[]> {
    if (this.runtime === null) return [`trading is off: ${this.offReasons.join('; ')}`];
    return this.runtime.forceExit(target);
  }

  /** Resolves once the strategy has caught up with the store's updates (tests). */
  async idle(): Promise<void> {
    await this.runtime?.idle();
  }

  /** The journal failed (or works again): said on the board, and looked at again while it fails. */
  private journalHealth(problem: string | null): void {
    this.opts.problems.set('journal-write', problem);
    clearInterval(this.journalCheck);
    this.journalCheck = undefined;
    if (problem === null) return;
    // With no candle asking for a write, nothing would notice the journal recovering: try one now and then.
    this.journalCheck = setInterval(() => void this.broker?.journalWritable(), JOURNAL_RECHECK_MS);
    this.journalCheck.unref();
  }

  private disable(problems: string[]): void {
    this.offReasons = problems;
    this.opts.problems.raise('trading-off', `trading off: ${problems.join('; ')}`);
    for (const p of problems) this.log.error(p);
    this.log.error('trading is off until the problems above are fixed; frames are still received and stored');
  }
}

