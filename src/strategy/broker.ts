/**
 * What every broker shares, dry-run or live: freqtrade's rules for when a trade exits (stoploss, ROI, exit signal)
 * and how much a new one stakes, one open trade per pair, the journal's health, and the status. Every decision is
 * on disk in the journal before it counts: the calls resolve once it is, and the runtime makes them one after
 * another. The subclasses say how an entry and an exit are carried out.
 */
import type { TradeChange } from '../events/index.js';
import type { Logger } from '../log.js';
import type { PairKey } from '../protocol/index.js';
import type { ClosedTrade, Journal, OpenTrade, SignalEvent } from '../journal/index.js';
import { profitRatio, roiAt, stopFillRate, stopReached, tradeMinutes, type RoiTable } from './trade-math.js';

/** freqtrade's trading settings, resolved (see trading-settings.ts). */
export interface TradingSettings {
  /** Strategy name recorded with each trade. */
  readonly strategy: string;
  readonly dry_run_wallet: number;
  readonly stake_currency: string;
  /** Stake per trade, or 'unlimited': the wallet shared among the free trade slots. */
  readonly stake_amount: number | 'unlimited';
  /** Infinity for freqtrade's -1. */
  readonly max_open_trades: number;
  /** Share of the wallet that may be staked (freqtrade's default 0.99). */
  readonly tradable_balance_ratio: number;
  /** Fee ratio per side. */
  readonly fee: number;
  readonly minimal_roi: RoiTable;
  /** Negative ratio of the open rate. */
  readonly stoploss: number;
}

/** The last closed candle of a key. */
export interface Candle {
  readonly producer: string;
  readonly key: PairKey;
  /** Open time, epoch ms (the frame's `date`). */
  readonly date: number;
  /** When it closed: the simulated fill time. */
  readonly closeTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/** The strategy's signals on that candle. */
export interface SignalRow {
  readonly enterLong: boolean;
  readonly exitLong: boolean;
  readonly enterShort: boolean;
  readonly exitShort: boolean;
  readonly enterTag: string | null;
  readonly exitTag: string | null;
}

export interface LastDecision {
  /** Wall-clock time, epoch ms. */
  readonly at: number;
  readonly pair: string;
  readonly action: 'entered' | 'exited' | 'refused';
  readonly detail: string;
}

export interface BrokerStatus {
  /** dry_run: paper trades; live: real orders on the exchange. */
  readonly mode: 'dry_run' | 'live';
  readonly open_trades: number;
  readonly max_open_trades: number | null;
  readonly stake_currency: string;
  readonly realised_profit: number;
  readonly available_stake: number;
  readonly last_decision: LastDecision | null;
}

/** Told when the journal cannot be written (why) and when it can again (null). */
export type JournalHealthListener = (problem: string | null) => void;

/** Told after the journal committed a change of a trade. */
export type TradeListener = (...change: TradeChange) => void;

/** Why and at what rate an open trade exits on a candle. */
export interface ExitDecision {
  readonly rate: number;
  readonly reason: string;
  /** The exit signal that caused it, if one did. */
  readonly signal: SignalEvent['signal'] | null;
}

export abstract class Broker {
  protected readonly open = new Map<string, OpenTrade>();
  protected readonly lastExitCandle = new Map<string, number>();
  private readonly refusedCandle = new Map<string, number>();
  protected realised = 0;
  private lastDecision: LastDecision | null = null;
  /** Why the last journal write failed, until one succeeds: entries wait, exits are retried. */
  private journalFailure: string | null = null;

  constructor(
    protected readonly settings: TradingSettings,
    protected readonly journal: Journal,
    protected readonly log: Logger,
    protected readonly now: () => number = Date.now,
    protected readonly onTrade: TradeListener = () => {},
    private readonly onJournal: JournalHealthListener = () => {},
  ) {}

  /** Whether this broker trades real money. */
  abstract readonly live: boolean;
  /**
   * Closes the pair's open trade when this candle (later than its entry candle) reached the stop, met the ROI
   * table at its close, or carries the exit signal for the trade's side without the entry signal.
   */
  abstract exit(c: Candle, s: SignalRow | null): Promise<ClosedTrade | null>;
  /**
   * Opens a trade on the candle's entry signal (freqtrade: enter_long without exit_long or enter_short; a short
   * only where `shortAllowed`) unless the pair has a trade open or exited on this candle. A signal refused for
   * want of a slot or of balance is journaled once per candle.
   */
  abstract enter(c: Candle, s: SignalRow, shortAllowed: boolean): Promise<OpenTrade | null>;
  /** Exits the trade now (freqtrade's forceexit), at `rate` for dry-run; one line saying what happened. */
  abstract forceExit(t: OpenTrade, rate: number | null): Promise<string>;
  /** The stake currency there is to trade with, in all: the base of freqtrade's available stake. */
  protected abstract totalStake(): number;

  /** Why no entry can be made now on this broker's side, or null. */
  entriesBlocked(): string | null {
    return this.journalFailure;
  }

  /** Why the journal cannot be written, or null. */
  get journalProblem(): string | null {
    return this.journalFailure;
  }

  /** Whether the journal can be written now (a write is tried while it could not be). */
  async journalWritable(): Promise<boolean> {
    if (this.journalFailure === null) return true;
    try {
      await this.journal.probe(this.now());
    } catch (err) {
      this.journalFailed(err);
      return false;
    }
    this.journalWorks();
    return true;
  }

  protected journalFailed(err: unknown): void {
    const why = `the journal cannot be written (${(err as Error).message}): no entries until it can; exits are retried`;
    if (why === this.journalFailure) return;
    this.journalFailure = why;
    this.onJournal(why);
  }

  protected journalWorks(): void {
    if (this.journalFailure === null) return;
    this.journalFailure = null;
    this.log.info('the journal can be written again: entries resume');
    this.onJournal(null);
  }

  /** Resumes from the journal: open trades, realised profit, the candles pairs last exited on. */
  async start(): Promise<void> {
    this.open.clear();
    for (const t of this.journal.openTrades()) this.open.set(t.pair, t);
    this.lastExitCandle.clear();
    for (const [pair, candle] of this.journal.lastExitCandles()) this.lastExitCandle.set(pair, candle);
    this.realised = this.journal.realisedProfit();
    if (this.open.size > 0) {
      this.log.info(`resumed ${this.open.size} open trade(s): ${[...this.open.keys()].join(', ')}`);
    }
  }

  async stop(): Promise<void> {}

  openTrade(pair: string): OpenTrade | undefined {
    return this.open.get(pair);
  }

  openTrades(): IterableIterator<OpenTrade> {
    return this.open.values();
  }

  /** Whether a new trade would be refused for want of a slot. */
  slotsFull(): boolean {
    return this.open.size >= this.settings.max_open_trades;
  }

  status(): BrokerStatus {
    return {
      mode: this.live ? 'live' : 'dry_run',
      open_trades: this.open.size,
      max_open_trades: Number.isFinite(this.settings.max_open_trades) ? this.settings.max_open_trades : null,
      stake_currency: this.settings.stake_currency,
      realised_profit: Number(this.realised.toFixed(8)),
      available_stake: Number(this.available().toFixed(8)),
      last_decision: this.lastDecision,
    };
  }

  /** Why and at what rate `t` exits on candle `c`, or null (freqtrade's order: stoploss, ROI, exit signal). */
  protected exitDecision(t: OpenTrade, c: Candle, s: SignalRow | null): ExitDecision | null {
    if (!sameKey(t, c) || c.date <= t.openCandle) return null;
    if (stopReached(t.stopLoss, c.low, c.high, t.isShort)) return { rate: stopFillRate(t.stopLoss, c.open, t.isShort), reason: 'stop_loss', signal: null };
    if (this.roiReached(t, c)) return { rate: c.close, reason: 'roi', signal: null };
    const exitSignal = s !== null && (t.isShort ? s.exitShort && !s.enterShort : s.exitLong && !s.enterLong);
    if (exitSignal) return { rate: c.close, reason: s.exitTag ?? 'exit_signal', signal: t.isShort ? 'exit_short' : 'exit_long' };
    return null;
  }

  /** Whether the signals enter, and on which side: null for none. */
  protected entrySide(s: SignalRow, shortAllowed: boolean): 'long' | 'short' | null {
    if (shortAllowed && s.enterShort && !s.exitShort && !s.enterLong) return 'short';
    return s.enterLong && !s.exitLong && !s.enterShort ? 'long' : null;
  }

  /** Whether a pair may enter on this candle: none open, not exited on it. */
  protected mayEnter(c: Candle): boolean {
    return !this.open.has(c.key.pair) && c.date > (this.lastExitCandle.get(c.key.pair) ?? -Infinity);
  }

  /** freqtrade's available stake: total x tradable_balance_ratio - stakes in open trades. */
  protected available(): number {
    return this.totalStake() * this.settings.tradable_balance_ratio - this.tiedUp();
  }

  protected tiedUp(): number {
    let sum = 0;
    for (const t of this.open.values()) sum += t.stakeAmount;
    return sum;
  }

  /** The stake for a new trade, or why there is none (freqtrade's get_trade_stake_amount). */
  protected stake(): number | string {
    if (this.slotsFull()) return `max_open_trades (${this.settings.max_open_trades}) reached`;
    const available = this.available();
    const st = this.settings;
    if (st.stake_amount === 'unlimited') {
      // Settings validation guarantees a finite max_open_trades with an unlimited stake.
      const stake = Math.min((available + this.tiedUp()) / st.max_open_trades, available);
      return stake > 0 ? stake : `no ${st.stake_currency} available to stake`;
    }
    if (st.stake_amount > available) {
      return `available ${fmt(Math.max(available, 0))} ${st.stake_currency} is lower than stake_amount ${st.stake_amount}`;
    }
    return st.stake_amount;
  }

  private roiReached(t: OpenTrade, c: Candle): boolean {
    const roi = roiAt(this.settings.minimal_roi, tradeMinutes(t.openDate, c.closeTime));
    return roi !== undefined && profitRatio(t, c.close) > roi;
  }

  /** A refused entry signal, journaled once per candle. */
  protected async refuse(c: Candle, signal: SignalEvent['signal'], tag: string | null, reason: string): Promise<void> {
    const pair = c.key.pair;
    if (this.refusedCandle.get(pair) === c.date) return;
    this.refusedCandle.set(pair, c.date);
    try {
      await this.journal.recordSignal(this.event(c, signal, tag, 'refused', reason));
      this.journalWorks();
    } catch (err) {
      this.log.error(`${pair}: refused ${signal} not recorded: ${(err as Error).message}`);
      this.journalFailed(err);
    }
    this.decided(pair, 'refused', `${signal}: ${reason}`);
  }

  protected event(
    c: Candle, signal: SignalEvent['signal'], tag: string | null, outcome: SignalEvent['outcome'], detail: string | null,
  ): SignalEvent {
    return {
      at: this.now(),
      producer: c.producer,
      pair: c.key.pair,
      timeframe: c.key.timeframe,
      candleType: c.key.candleType,
      candle: c.date,
      signal,
      tag,
      outcome,
      detail,
    };
  }

  /** A trade that closed: the broker's bookkeeping, one line, and the event. */
  protected closed(t: OpenTrade, closed: ClosedTrade, exitCandle: number): void {
    this.open.delete(t.pair);
    this.lastExitCandle.set(t.pair, exitCandle);
    this.realised += closed.profitAbs;
    const detail = `#${t.id} ${side(t.isShort)} at ${closed.closeRate} (${closed.exitReason}), profit ${fmt(closed.profitAbs)} ` +
      `${t.stakeCurrency} (${(closed.profitRatio * 100).toFixed(2)} %)`;
    this.decided(t.pair, 'exited', detail);
    this.onTrade('closed', closed);
  }

  /** A trade that opened (live: its entry was placed). */
  protected opened(t: OpenTrade, detail: string): void {
    this.open.set(t.pair, t);
    this.decided(t.pair, 'entered', detail);
    this.onTrade('opened', t);
  }

  protected decided(pair: string, action: LastDecision['action'], detail: string): void {
    this.lastDecision = { at: this.now(), pair, action, detail };
    this.log.info(`${pair}: ${action} ${detail}`);
  }
}

function sameKey(t: OpenTrade, c: Candle): boolean {
  return t.producer === c.producer && t.timeframe === c.key.timeframe && t.candleType === c.key.candleType;
}

export function side(isShort: boolean): string {
  return isShort ? 'short' : 'long';
}

export function fmt(x: number): string {
  return Number(x.toFixed(8)).toString();
}
