/**
 * The appliance side of the daemon as one service: sd_notify (READY, STATUS, STOPPING), the health watchdog and
 * the status LEDs. It follows the daemon's event stream (stored frames, connection changes, problems) and reads
 * the problem board; it asks the other parts nothing but the producers' progress (for the watchdog's liveness
 * check) and two counts for the STATUS line. Start it first and stop it last; call ready() once the config is
 * valid and the store and journal are open.
 */
import type { Config } from '../config/index.js';
import type { DaemonBus, ProblemBoard, Unsubscribe } from '../events/index.js';
import type { Logger } from '../log.js';
import { DataFreshness } from './data-freshness.js';
import { IngestLiveness, livenessBounds, type ProducerProgress } from './ingest-liveness.js';
import { SdNotify } from './sd-notify.js';
import { StatusLights, type LightState } from './status-lights.js';
import { StatusReporter, age, formatStatus, type StatusSummary } from './status-line.js';
import { Watchdog } from './watchdog.js';

export interface ApplianceOptions {
  readonly config: Pick<Config, 'appliance' | 'external_message_consumer' | 'wire' | 'live'>;
  readonly log: Logger;
  readonly bus: DaemonBus;
  readonly problems: ProblemBoard;
  /** The producers' progress, in config order (the ingest service's status). */
  readonly producers: () => readonly ProducerProgress[];
  /** Whitelisted pairs over all producers. */
  readonly pairs: () => number;
  /** Open trades; null while no strategy runs. */
  readonly openTrades: () => number | null;
  readonly env?: NodeJS.ProcessEnv;
  readonly ledRoot?: string;
  readonly gpioRoot?: string;
}

/** How often staleness is looked at: it is minutes, never seconds, so a coarse look costs nothing. */
const FRESHNESS_CHECK_MS = 5_000;

export class Appliance {
  readonly notify: SdNotify;
  readonly freshness = new DataFreshness();
  private readonly lights: StatusLights;
  private readonly watchdog: Watchdog;
  private readonly status: StatusReporter;
  private isReady = false;
  private subscriptions: Unsubscribe[] = [];
  private freshnessTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ApplianceOptions) {
    const { config, log } = opts;
    this.notify = new SdNotify(log.child('systemd'), opts.env);
    this.lights = new StatusLights({
      leds: config.appliance.leds,
      log: log.child('leds'),
      state: () => this.lightState(),
      ...(opts.ledRoot !== undefined ? { ledRoot: opts.ledRoot } : {}),
      ...(opts.gpioRoot !== undefined ? { gpioRoot: opts.gpioRoot } : {}),
    });
    this.watchdog = new Watchdog({
      notify: this.notify,
      log: log.child('health'),
      maxLagMs: config.appliance.watchdog_max_lag_ms,
      checks: [new IngestLiveness(opts.producers, livenessBounds(config.external_message_consumer, config.wire))],
      onChange: (problem) => opts.problems.set('unhealthy', problem),
      ...(opts.env !== undefined ? { env: opts.env } : {}),
    });
    this.status = new StatusReporter({ notify: this.notify, summary: () => this.summary() });
  }

  /** Opens the notify socket, follows the event stream and shows "starting" on the LEDs. */
  async start(): Promise<void> {
    await this.notify.start();
    if (this.subscriptions.length === 0) {
      const { bus } = this.opts;
      this.subscriptions = [
        bus.on('frame-stored', (_producer, key) => this.candle(key.timeframe)),
        bus.on('connection', () => this.lights.refresh()),
        bus.on('problem', () => this.lights.refresh()),
      ];
    }
    await this.lights.start();
  }

  /** Start-up is complete: READY=1, then STATUS= lines and watchdog pings. */
  async ready(): Promise<void> {
    if (this.isReady) return;
    this.isReady = true;
    this.notify.ready(formatStatus(this.summary(), Date.now()));
    await this.status.start();
    await this.watchdog.start();
    this.freshnessTimer = setInterval(() => this.checkFreshness(), FRESHNESS_CHECK_MS);
    this.freshnessTimer.unref();
    this.lights.refresh();
  }

  async stop(): Promise<void> {
    clearInterval(this.freshnessTimer);
    this.freshnessTimer = undefined;
    for (const u of this.subscriptions) u();
    this.subscriptions = [];
    await this.watchdog.stop();
    await this.status.stop();
    await this.lights.stop();
    await this.notify.stop();
    this.isReady = false;
  }

  /** The state on the LEDs (null while none is shown). */
  get showing(): LightState | null {
    return this.lights.showing;
  }

  /** What STATUS= says. */
  summary(): StatusSummary {
    const producers = this.opts.producers();
    return {
      producersUp: producers.filter((p) => p.state === 'connected').length,
      producersTotal: producers.length,
      pairs: this.opts.pairs(),
      lastCandleAt: this.freshness.lastCandleAt,
      openTrades: this.opts.openTrades(),
      problem: this.opts.problems.first()?.text ?? null,
      live: this.opts.config.live?.exchange ?? null,
    };
  }

  /** A candle was stored. Cheap: called per message. */
  private candle(timeframe: string): void {
    this.freshness.candle(timeframe);
    this.lights.candle();
    if (this.opts.problems.has('stale')) this.checkFreshness();
  }

  private checkFreshness(): void {
    const now = Date.now();
    const last = this.freshness.lastCandleAt;
    this.opts.problems.set('stale', last !== null && this.freshness.stale(now) ? `stale: no candle for ${age(now - last)}` : null);
  }

  private lightState(): LightState {
    if (!this.isReady) return 'starting';
    const board = this.opts.problems;
    if (board.has('trading-off') || board.has('strategy-disabled') || board.has('journal-write')) return 'error:strategy';
    if (board.has('token-refused') || board.has('exchange-auth')) return 'error:refused';
    if (!this.opts.producers().some((p) => p.state === 'connected') || this.freshness.lastCandleAt === null) return 'connecting';
    return board.has('stale') ? 'stale' : 'healthy';
  }
}
