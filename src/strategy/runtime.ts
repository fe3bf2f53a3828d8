/**
 * Runs the strategy on each key of its producer whose frame changed, and hands the last closed candle and its
 * signals to the broker.
 *
 * Ingest is never blocked: the store's update callback only queues the key (once, however many updates
 * arrive before it is evaluated), and evaluation happens on setImmediate turns of at most `turnBudgetMs`, so
 * a burst of full frames on connect is read off the socket while the strategy catches up. Within a turn,
 * exits are decided before entries, as freqtrade's bot loop does, so a slot freed on a candle can be taken
 * on that candle; decisions are made one after another, each once the previous is durable in the journal (the
 * event loop goes on meanwhile), and one turn runs at a time. A user strategy that throws or returns garbage is disabled for that key after
 * `maxStrikes` failures in a row; one that is slow `maxStrikes` evaluations in a row is disabled altogether.
 * Open trades keep exiting on stoploss and ROI either way.
 */
import { performance } from 'node:perf_hooks';
import type { Table } from 'apache-arrow';
import type { Logger } from '../log.js';
import { timeframeMs, type CandleType, type PairKey } from '../protocol/index.js';
import type { Signals } from './api.js';
import { columnIndex, numberAt } from './column-view.js';
import type { Broker, BrokerStatus, Candle, SignalRow } from './broker.js';
import { FrameContext, type FrameSource, type FrameUpdates } from './frame-context.js';
import * as helpers from './helpers.js';
import { profitAbs, profitRatio } from './trade-math.js';
import type { LoadedStrategy } from './strategy-loader.js';

export interface RuntimeOptions {
  /**
   * freqtrade's exchange.outdated_offset, minutes. An entry waits when the last candle's open time is more
   * than two timeframes plus this old: a freshly closed candle is between one and two timeframes old, so
   * beyond two the next candle is overdue; the offset absorbs the producer's analysis time. Default 5.
   */
  readonly outdatedOffsetMin?: number;
  /** Longest stretch of evaluations before yielding to I/O, ms. Default 10. */
  readonly turnBudgetMs?: number;
  /** An evaluation slower than this counts as an overrun, ms. Default 50. */
  readonly slowEvalMs?: number;
  /** Failures in a row (per key) or overruns in a row (any key) before disabling. Default 3. */
  readonly maxStrikes?: number;
  readonly now?: () => number;
  /** Told once when the strategy is disabled altogether (why). */
  readonly onDisabled?: (why: string) => void;
}

export interface KeyReason {
  readonly producer: string;
  readonly pair: string;
  readonly timeframe: string;
  readonly candle_type: CandleType;
  readonly reason: string;
}

/** An open trade at the last price the runtime saw for its key (its last evaluated candle's close). */
export interface OpenPosition {
  readonly trade_id: number;
  readonly pair: string;
  /** null until a candle of the trade's key was evaluated since start. */
  readonly current_rate: number | null;
  /** Unrealised profit at current_rate, fees included (freqtrade's profit_abs / profit_ratio); null without a rate. */
  readonly profit_abs: number | null;
  readonly profit_ratio: number | null;
}

export interface StrategyStatus extends BrokerStatus {
  readonly strategy: string;
  readonly origin: string;
  /** Why the strategy is disabled altogether, or null. */
  readonly disabled: string | null;
  readonly disabled_keys: KeyReason[];
  /** Keys whose entries wait, and why. */
  readonly waiting: KeyReason[];
  /** A reason no entry can happen on any key right now, or null. */
  readonly entries_blocked: string | null;
  /** Entries stopped by hand (stopentry), until start. */
  readonly entries_stopped: boolean;
  /** The timeframe the strategy trades (null: every timeframe the producer sends). */
  readonly timeframe: string | null;
  readonly open_positions: OpenPosition[];
}

/** One traded key: its last evaluated candle and signals (passed to the broker as both), reused per update. */
class KeyState implements Candle, SignalRow {
  date = NaN;
  closeTime = NaN;
  open = NaN;
  high = NaN;
  low = NaN;
  close = NaN;
  enterLong = false;
  exitLong = false;
  enterShort = false;
  exitShort = false;
  enterTag: string | null = null;
  exitTag: string | null = null;
  hasSignals = false;
  queued = false;
  failures = 0;
  disabled: string | null = null;
  /** A declared column the frame lacks (the key waits), or null. */
  missing: string | null = null;
  waitLoggedFor = NaN;

  constructor(
    readonly producer: string,
    readonly key: PairKey,
    readonly tfMs: number,
  ) {}

  where(): string {
    return `${this.key.pair} ${this.key.timeframe} ${this.key.candleType}`;
  }
}

const SIGNAL_NAMES = ['enter_long', 'exit_long', 'enter_short', 'exit_short'] as const;
const STOPPED = 'entries stopped (ft-edge stopentry; ft-edge start resumes them)';

export class StrategyRuntime {
  private readonly states = new Map<string, KeyState[]>();
  private readonly queue: KeyState[] = [];
  private readonly batch: KeyState[] = [];
  private readonly ctx: FrameContext;
  private readonly offsetMs: number;
  private readonly budgetMs: number;
  private readonly slowMs: number;
  private readonly maxStrikes: number;
  private readonly now: () => number;
  private running = false;
  private unsubscribe: (() => void) | null = null;
  private scheduled = false;
  /** A turn is under way (evaluating, or waiting for the journal). */
  private turning = false;
  /** freqtrade's stopentry: no new entries, exits go on. */
  private entriesStopped = false;
  private overruns = 0;
  private disabled: string | null = null;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly strategy: LoadedStrategy,
    private readonly store: FrameSource,
    /** Subscribes to "a frame was stored" (the daemon's event stream). */
    private readonly updates: FrameUpdates,
    private readonly broker: Broker,
    private readonly log: Logger,
    private readonly isProducerConnected: (producer: string) => boolean,
    private readonly opts: RuntimeOptions = {},
  ) {
    this.ctx = new FrameContext(store, [strategy.producer, ...strategy.informative], strategy.params);
    this.offsetMs = (opts.outdatedOffsetMin ?? 5) * 60_000;
    this.budgetMs = opts.turnBudgetMs ?? 10;
    this.slowMs = opts.slowEvalMs ?? 50;
    this.maxStrikes = opts.maxStrikes ?? 3;
    this.now = opts.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.updates(this.onUpdate);
    const s = this.strategy;
    this.log.info(`strategy ${s.definition.name} (${s.origin}) trades producer ${s.producer}` +
      `${s.timeframe === null ? '' : ` ${s.timeframe}`} ${s.candleTypes.join('/')}`);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const ks of this.queue) ks.queued = false;
    this.queue.length = 0;
    this.settle();
  }

  /** freqtrade's stopentry (true) and start (false). */
  stopEntries(stopped: boolean): void {
    if (stopped === this.entriesStopped) return;
    this.entriesStopped = stopped;
    this.log.info(stopped ? 'entries stopped (ft-edge stopentry): open trades still exit' : 'entries resumed (ft-edge start)');
  }

  /** freqtrade's forceexit of one open trade (by id) or all of them; a line per trade saying what happened. */
  async forceExit(target: number | 'all'): Promise<string[]> {
    const trades = [...this.broker.openTrades()].filter((t) => target === 'all' || t.id === target);
    if (trades.length === 0) return [target === 'all' ? 'no open trades' : `no open trade #${target}`];
    const lines: string[] = [];
    for (const t of trades) {
      const ks = this.states.get(t.pair)?.find((k) => k.key.timeframe === t.timeframe && k.key.candleType === t.candleType);
      lines.push(await this.broker.forceExit(t, ks !== undefined && ks.close > 0 ? ks.close : null));
    }
    return lines;
  }

  /** Resolves once every queued update has been evaluated (or the runtime stopped). */
  idle(): Promise<void> {
    if (!this.scheduled && !this.turning && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  status(): StrategyStatus {
    const disabledKeys: KeyReason[] = [];
    const waiting: KeyReason[] = [];
    for (const list of this.states.values()) {
      for (const ks of list) {
        if (ks.disabled !== null) disabledKeys.push(reason(ks, ks.disabled));
        else {
          const why = ks.missing ?? this.entryWait(ks);
          if (why !== null) waiting.push(reason(ks, why));
        }
      }
    }
    const broker = this.broker.status();
    const blocked = !this.running ? 'the strategy runtime is not running'
      : this.disabled !== null ? `strategy disabled: ${this.disabled}`
      : this.entriesStopped ? STOPPED
      : this.broker.entriesBlocked() ?? (this.broker.slotsFull() ? `max_open_trades (${broker.max_open_trades}) reached` : null);
    return {
      strategy: this.strategy.definition.name,
      origin: this.strategy.origin,
      disabled: this.disabled,
      ...broker,
      disabled_keys: disabledKeys,
      waiting,
      entries_blocked: blocked,
      entries_stopped: this.entriesStopped,
      timeframe: this.strategy.timeframe,
      open_positions: [...this.broker.openTrades()].map((t) => {
        const ks = this.states.get(t.pair)?.find((k) => k.key.timeframe === t.timeframe && k.key.candleType === t.candleType);
        const rate = ks !== undefined && ks.close > 0 ? ks.close : null;
        return {
          trade_id: t.id,
          pair: t.pair,
          current_rate: rate,
          profit_abs: rate === null ? null : profitAbs(t, rate),
          profit_ratio: rate === null ? null : profitRatio(t, rate),
        };
      }),
    };
  }

  private readonly onUpdate = (producer: string, key: PairKey): void => {
    const s = this.strategy;
    if (!this.running || producer !== s.producer) return;
    if ((s.timeframe !== null && key.timeframe !== s.timeframe) || !(s.candleTypes as readonly string[]).includes(key.candleType)) return;
    const ks = this.stateOf(producer, key);
    if (ks === null || ks.queued) return;
    ks.queued = true;
    this.queue.push(ks);
    if (!this.scheduled && !this.turning) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  };

  private stateOf(producer: string, key: PairKey): KeyState | null {
    let list = this.states.get(key.pair);
    if (list === undefined) this.states.set(key.pair, (list = []));
    for (const ks of list) if (ks.key.timeframe === key.timeframe && ks.key.candleType === key.candleType) return ks;
    const tfMs = timeframeMs(key.timeframe);
    if (tfMs === undefined) return null;
    const ks = new KeyState(producer, { pair: key.pair, timeframe: key.timeframe, candleType: key.candleType }, tfMs);
    list.push(ks);
    return ks;
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    if (!this.running || this.turning) return;
    this.turning = true;
    void this.turn().finally(() => {
      this.turning = false;
      if (this.queue.length > 0 && this.running) {
        this.scheduled = true;
        setImmediate(this.drain);
      } else {
        this.settle();
      }
    });
  };

  /** Evaluates queued keys for at most the turn budget, then decides their exits and entries. */
  private async turn(): Promise<void> {
    const deadline = performance.now() + this.budgetMs;
    const batch = this.batch;
    let taken = 0;
    try {
      try {
        while (taken < this.queue.length) {
          const ks = this.queue[taken++]!;
          ks.queued = false;
          if (this.evaluate(ks)) batch.push(ks);
          if (performance.now() >= deadline) break;
        }
      } finally {
        this.queue.splice(0, taken); // updates arriving while decisions wait for the journal queue up behind
      }
      for (const ks of batch) await this.broker.exit(ks, ks.hasSignals ? ks : null);
      for (const ks of batch) if (ks.hasSignals) await this.enter(ks);
    } catch (err) {
      this.log.error(`strategy runtime: ${(err as Error).message}`);
      this.log.debug((err as Error).stack ?? '');
    } finally {
      batch.length = 0;
    }
  }

  private settle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Reads the key's last candle and, unless disabled, its signals. False when there is nothing to act on. */
  private evaluate(ks: KeyState): boolean {
    const df = this.store.producerDf(ks.key.pair, ks.key.timeframe, ks.key.candleType, ks.producer);
    const table = df?.table;
    if (table === undefined || table.numRows === 0) return false;
    const last = table.numRows - 1;
    ks.date = cell(table, 'date', last);
    ks.closeTime = ks.date + ks.tfMs;
    ks.open = cell(table, 'open', last);
    ks.high = cell(table, 'high', last);
    ks.low = cell(table, 'low', last);
    ks.close = cell(table, 'close', last);
    ks.hasSignals = false;
    if (!(ks.close > 0)) return false; // no price to fill at (null close on a malformed frame)
    if (this.disabled === null && ks.disabled === null) ks.hasSignals = this.populate(ks, table);
    return true;
  }

  private populate(ks: KeyState, table: Table): boolean {
    const s = this.strategy;
    const ctx = this.ctx;
    ctx.bind(ks.producer, ks.key, table, s.lookback);
    try {
      let missing: string | null = null;
      for (const c of s.columns) {
        if (!ctx.has(c)) {
          missing = `no column "${c}" in the frame`;
          break;
        }
      }
      if (missing !== ks.missing) {
        if (missing !== null) this.log.warn(`strategy ${s.definition.name} waits on ${ks.where()}: ${missing}`);
        else this.log.info(`strategy ${s.definition.name} on ${ks.where()}: columns complete`);
        ks.missing = missing;
      }
      if (missing !== null) return false;
      let out: unknown;
      let error: unknown = null;
      const t0 = performance.now();
      try {
        out = s.definition.populate(ctx, helpers);
      } catch (err) {
        error = err ?? new Error('threw a nullish value');
      }
      this.timed(ks, performance.now() - t0);
      const problem = error !== null ? `threw ${errorText(error)}` : this.readSignals(ks, out, ctx.rows);
      if (problem !== null) {
        this.fail(ks, problem, error);
        return false;
      }
      ks.failures = 0;
      return true;
    } finally {
      ctx.unbind();
    }
  }

  /** Copies the last row of the returned signals into the key state; a problem description when malformed. */
  private readSignals(ks: KeyState, out: unknown, rows: number): string | null {
    if (typeof out !== 'object' || out === null) return `returned ${out === null ? 'null' : typeof out} instead of a signals object`;
    const o = out as Record<string, unknown>;
    for (const name of SIGNAL_NAMES) {
      const v = o[name];
      if (v === undefined) continue;
      if (!isSeries(v)) return `returned ${name} that is not a typed array`;
      if (v.length !== rows) return `returned ${name} of length ${v.length} for ${rows} rows`;
    }
    const sig = out as Signals;
    const last = rows - 1;
    ks.enterLong = sig.enter_long?.[last] === 1;
    ks.exitLong = sig.exit_long?.[last] === 1;
    ks.enterShort = sig.enter_short?.[last] === 1;
    ks.exitShort = sig.exit_short?.[last] === 1;
    const enterTag = tagAt(o['enter_tag'], rows);
    if (enterTag === undefined) return 'returned an enter_tag that is not a string, null or one per row';
    const exitTag = tagAt(o['exit_tag'], rows);
    if (exitTag === undefined) return 'returned an exit_tag that is not a string, null or one per row';
    ks.enterTag = enterTag;
    ks.exitTag = exitTag;
    return null;
  }

  private fail(ks: KeyState, problem: string, error: unknown): void {
    const name = this.strategy.definition.name;
    ks.failures++;
    this.log.warn(`strategy ${name} on ${ks.where()} ${problem} (${ks.failures}/${this.maxStrikes})`);
    if (error instanceof Error && error.stack !== undefined) this.log.debug(error.stack);
    if (ks.failures >= this.maxStrikes) {
      ks.disabled = `${problem} (${ks.failures} times in a row)`;
      this.log.error(`strategy ${name} disabled for ${ks.where()}: ${ks.disabled}; open trades there still exit on stoploss and ROI`);
    }
  }

  private timed(ks: KeyState, ms: number): void {
    if (ms <= this.slowMs) {
      this.overruns = 0;
      return;
    }
    const name = this.strategy.definition.name;
    this.overruns++;
    this.log.warn(`strategy ${name} took ${ms.toFixed(1)} ms on ${ks.where()} (limit ${this.slowMs} ms, ${this.overruns}/${this.maxStrikes})`);
    if (this.overruns >= this.maxStrikes && this.disabled === null) {
      this.disabled = `${this.overruns} evaluations in a row slower than ${this.slowMs} ms`;
      this.log.error(`strategy ${name} disabled altogether: ${this.disabled}; open trades still exit on stoploss and ROI`);
      this.opts.onDisabled?.(this.disabled);
    }
  }

  private async enter(ks: KeyState): Promise<void> {
    if (!(ks.enterLong || ks.enterShort)) return;
    const wait = this.entryWait(ks);
    if (wait === null) {
      await this.broker.enter(ks, ks, this.strategy.canShort && ks.key.candleType === 'futures');
    } else if (ks.waitLoggedFor !== ks.date && this.broker.openTrade(ks.key.pair) === undefined) {
      ks.waitLoggedFor = ks.date;
      this.log.info(`${ks.where()}: entry signal waits: ${wait}`);
    }
  }

  /** Why an entry on this key must wait, or null. */
  private entryWait(ks: KeyState): string | null {
    if (this.entriesStopped) return STOPPED;
    if (Number.isNaN(ks.date)) return 'no frame yet';
    if (!this.isProducerConnected(ks.producer)) return `producer ${ks.producer} is disconnected`;
    const age = this.now() - ks.date;
    const limit = 2 * ks.tfMs + this.offsetMs;
    return age > limit ? `last candle is ${minutes(age)} old (limit ${minutes(limit)})` : null;
  }
}

function cell(table: Table, name: string, row: number): number {
  const col = columnIndex(table, name);
  return col < 0 ? NaN : numberAt(table, col, row);
}

function isSeries(v: unknown): v is ArrayLike<number> {
  return v instanceof Uint8Array || v instanceof Int8Array || v instanceof Float64Array;
}

/** The last row's tag: a string (empty counts as none), null, or undefined when malformed. */
function tagAt(v: unknown, rows: number): string | null | undefined {
  if (v === undefined || v === null) return null;
  const x = typeof v === 'string' ? v : Array.isArray(v) && v.length === rows ? (v[rows - 1] as unknown) : undefined;
  if (x === null || x === '') return null;
  return typeof x === 'string' ? x : undefined;
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.split('\n')[0]!;
}

function reason(ks: KeyState, why: string): KeyReason {
  return { producer: ks.producer, pair: ks.key.pair, timeframe: ks.key.timeframe, candle_type: ks.key.candleType, reason: why };
}

function minutes(ms: number): string {
  return `${Math.round(ms / 60_000)} min`;
}
