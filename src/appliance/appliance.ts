/**
 * The appliance side of the daemon as one service: sd_notify (READY, STATUS, STOPPING), the health watchdog and
 * the status LEDs, all fed from what the daemon already has (the consumer's status and events, the store's
 * whitelists, the journal's open trades). Start it first and stop it last; call ready() once the config is
 * valid and the store and journal are open.
 */
import type { Config } from '../config/types.js';
import type { Logger } from '../log.js';
import { DataFreshness } from './data-freshness.js';
import { IngestLiveness, livenessBounds, type ProducerProgress } from './ingest-liveness.js';
import { SdNotify } from './sd-notify.js';
import { StatusLights, type LedSpec, type LightState } from './status-lights.js';
import { StatusReporter, age, formatStatus, type StatusSummary } from './status-line.js';
import { Watchdog } from './watchdog.js';

export interface ApplianceOptions {
  readonly config: {
    readonly appliance: { readonly leds: readonly LedSpec[]; readonly watchdog_max_lag_ms: number };
    readonly external_message_consumer: Config['external_message_consumer'];
    readonly wire: Config['wire'];
  };
  readonly log: Logger;
  /** The consumer's per-producer status (Consumer.status()). */
  readonly producers: () => readonly ProducerProgress[];
  /** Whitelisted pairs over all producers. */
  readonly pairs: () => number;
  /** Open dry-run trades; null while no strategy runs. */
  readonly openTrades: () => number | null;
  /** Why the strategy is disabled, or null. */
  readonly strategyProblem?: () => string | null;
  readonly env?: NodeJS.ProcessEnv;
  readonly ledRoot?: string;
  readonly gpioRoot?: string;
}

export class Appliance {
  readonly notify: SdNotify;
  readonly freshness = new DataFreshness();
  private readonly lights: StatusLights;
  private readonly watchdog: Watchdog;
  private readonly status: StatusReporter;
  private isReady = false;

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
      ...(opts.env !== undefined ? { env: opts.env } : {}),
    });
    this.status = new StatusReporter({ notify: this.notify, summary: () => this.summary() });
  }

  /** Opens the notify socket and shows "starting" on the LEDs. */
  async start(): Promise<void> {
    await this.notify.start();
    await this.lights.start();
  }

  /** Start-up is complete: READY=1, then STATUS= lines and watchdog pings. */
  async ready(): Promise<void> {
    if (this.isReady) return;
    this.isReady = true;
    this.notify.ready(formatStatus(this.summary(), Date.now()));
    await this.status.start();
    await this.watchdog.start();
    this.lights.refresh();
  }

  /** A candle was stored (the consumer's 'message' event). Cheap: called per message. */
  candle(timeframe: string): void {
    this.freshness.candle(timeframe);
    this.lights.candle();
  }

  /** A producer connected, disconnected or was refused: the LEDs follow at once. */
  connectionChanged(): void {
    this.lights.refresh();
  }

  async stop(): Promise<void> {
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
    const now = Date.now();
    const refused = producers.filter((p) => p.state === 'refused').map((p) => p.name);
    const last = this.freshness.lastCandleAt;
    const problem =
      this.watchdog.problem() ??
      this.opts.strategyProblem?.() ??
      (refused.length > 0 ? `token refused by producer ${refused.join(', ')}` : null) ??
      (last !== null && this.freshness.stale(now) ? `stale: no candle for ${age(now - last)}` : null);
    return {
      producersUp: producers.filter((p) => p.state === 'connected').length,
      producersTotal: producers.length,
      pairs: this.opts.pairs(),
      lastCandleAt: last,
      openTrades: this.opts.openTrades(),
      problem,
    };
  }

  private lightState(): LightState {
    if (!this.isReady) return 'starting';
    if ((this.opts.strategyProblem?.() ?? null) !== null) return 'error:strategy';
    const producers = this.opts.producers();
    if (producers.some((p) => p.state === 'refused')) return 'error:refused';
    if (!producers.some((p) => p.state === 'connected') || this.freshness.lastCandleAt === null) return 'connecting';
    return this.freshness.stale(Date.now()) ? 'stale' : 'healthy';
  }
}
