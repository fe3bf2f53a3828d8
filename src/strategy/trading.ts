/**
 * The trading service the daemon runs: loads the configured strategy, opens the journal in the state
 * directory, resumes open trades, and runs the strategy on the store's updates. A strategy or journal that
 * cannot start is reported (one line per problem) and leaves the daemon ingesting without trading; it never
 * stops the daemon.
 */
import { age } from '../appliance/status-line.js';
import type { Config } from '../config/types.js';
import type { Logger } from '../log.js';
import { Journal, journalPath } from '../journal/journal.js';
import { DryRunBroker } from './dry-run-broker.js';
import type { FrameSource } from './frame-context.js';
import { StrategyRuntime, type KeyReason, type RuntimeOptions, type StrategyStatus } from './runtime.js';
import { startupWarnings } from './startup-checks.js';
import { loadStrategy } from './strategy-loader.js';
import { resolveTradingSettings } from './trading-settings.js';

/** The config keys trading reads (all of them freqtrade's, but `store`). */
export type TradingDaemonConfig = Pick<Config,
  | 'strategy' | 'strategy_params' | 'timeframe' | 'datadir' | 'dry_run' | 'dry_run_wallet' | 'stake_currency'
  | 'stake_amount' | 'max_open_trades' | 'minimal_roi' | 'stoploss' | 'tradable_balance_ratio' | 'fee'
  | 'external_message_consumer' | 'store'>;

export type TradingStatus =
  | ({ readonly running: true } & StrategyStatus)
  | { readonly running: false; readonly strategy: string; readonly problems: readonly string[] };

export class Trading {
  private journal: Journal | null = null;
  private runtime: StrategyRuntime | null = null;
  private problems: string[] = ['not started'];

  constructor(
    private readonly config: TradingDaemonConfig,
    private readonly store: FrameSource,
    private readonly isProducerConnected: (producer: string) => boolean,
    private readonly log: Logger,
    private readonly runtimeOptions: RuntimeOptions = {},
  ) {}

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
    const broker = new DryRunBroker(settings.settings, journal, this.log);
    try {
      await broker.start();
    } catch (e) {
      await journal.stop();
      return this.disable([`journal ${journalPath(cfg.datadir)}: ${(e as Error).message}`]);
    }
    const runtime = new StrategyRuntime(strategy, this.store, broker, this.log, this.isProducerConnected, this.runtimeOptions);
    await runtime.start();
    const s = settings.settings;
    this.log.info(`dry-run: wallet ${s.dry_run_wallet} ${s.stake_currency}, stake ${s.stake_amount}, ` +
      `max_open_trades ${Number.isFinite(s.max_open_trades) ? s.max_open_trades : 'unlimited'}, stoploss ${s.stoploss}, ` +
      `minimal_roi ${JSON.stringify(Object.fromEntries(s.minimal_roi.map((r) => [r.minutes, r.ratio])))}, fee ${s.fee}; ` +
      `journal ${journalPath(cfg.datadir)}`);
    this.journal = journal;
    this.runtime = runtime;
    this.problems = [];
  }

  async stop(): Promise<void> {
    const runtime = this.runtime;
    const journal = this.journal;
    this.runtime = null;
    this.journal = null;
    this.problems = ['stopped'];
    await runtime?.stop();
    await journal?.stop();
  }

  /** Open trades, realised profit, last decision, disabled strategy/keys and why entries wait; or why trading is off. */
  status(): TradingStatus {
    if (this.runtime === null) return { running: false, strategy: this.config.strategy, problems: this.problems };
    return { running: true, ...this.runtime.status() };
  }

  /** Open dry-run trades; null while trading is off (the appliance's status line and LEDs). */
  openTrades(): number | null {
    return this.runtime === null ? null : this.runtime.status().open_trades;
  }

  /** Why trading is off or the strategy disabled altogether, or null. */
  problem(): string | null {
    if (this.runtime === null) return `trading off: ${this.problems.join('; ')}`;
    const disabled = this.runtime.status().disabled;
    return disabled === null ? null : `strategy disabled: ${disabled}`;
  }

  /** The `strategy` and `trading` sections of `ft-edge status`: facts in words, as the CLI prints them. */
  sections(now: number = Date.now()): Record<string, Record<string, string | number | boolean | null>> {
    const s = this.status();
    if (!s.running) return { strategy: { name: s.strategy, state: `off: ${s.problems.join('; ')}` } };
    const keys = (list: readonly KeyReason[]): string =>
      list.length === 0 ? 'none' : list.slice(0, 3).map((k) => `${k.pair} ${k.timeframe} ${k.candle_type}: ${k.reason}`).join('; ') +
        (list.length > 3 ? `; and ${list.length - 3} more` : '');
    const d = s.last_decision;
    return {
      strategy: {
        name: s.strategy,
        from: s.origin,
        state: s.disabled === null ? 'running' : `disabled: ${s.disabled}`,
        'disabled for': keys(s.disabled_keys),
      },
      trading: {
        'open trades': s.max_open_trades === null ? `${s.open_trades}` : `${s.open_trades} of ${s.max_open_trades}`,
        'realised profit': `${s.realised_profit} ${s.stake_currency}`,
        'available stake': `${s.available_stake} ${s.stake_currency}`,
        'last decision': d === null ? 'none yet' : `${d.pair} ${d.action} ${d.detail} (${age(now - d.at)} ago)`,
        'entries wait': s.entries_blocked ?? keys(s.waiting),
      },
    };
  }

  /** Resolves once the strategy has caught up with the store's updates (tests). */
  async idle(): Promise<void> {
    await this.runtime?.idle();
  }

  private disable(problems: string[]): void {
    this.problems = problems;
    for (const p of problems) this.log.error(p);
    this.log.error('trading is off until the problems above are fixed; frames are still received and stored');
  }
}

