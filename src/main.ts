/**
 * Composition root: builds the daemon's services by hand, starts them in order and stops them in reverse.
 * Nothing here does work of its own; each service lives in its capability folder.
 */
import { Appliance } from './appliance/appliance.js';
import type { ExportResult } from './appliance/control-protocol.js';
import { ControlServer } from './appliance/control-server.js';
import { statusReport } from './appliance/control-status.js';
import { LogThrottle } from './appliance/log-throttle.js';
import { Shutdown } from './appliance/shutdown.js';
import type { Config } from './config/types.js';
import type { Logger } from './log.js';
import { join } from 'node:path';
import { FrameStore } from './store/index.js';
import { Trading } from './strategy/trading.js';
import { Consumer } from './wire/consumer.js';

interface Service {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Well inside the unit's TimeoutStopSec (30 s): a stuck stop ends in our own error line, not SIGKILL. */
const STOP_DEADLINE_MS = 10_000;

/** The ft-edge daemon: `ft-edge run`. */
export class Daemon {
  private readonly started: Service[] = [];
  private readonly startedAt = Date.now();
  readonly store: FrameStore;
  readonly consumer: Consumer;
  readonly trading: Trading;
  readonly control: ControlServer;
  readonly appliance: Appliance;
  private readonly shutdown: Shutdown;
  /** Repeated log lines summarised (journald and the SD card); started first, stopped last to flush its counts. */
  private readonly throttle: LogThrottle;
  private readonly log: Logger;
  private exporting: Promise<unknown> = Promise.resolve();

  constructor(config: Config, baseLog: Logger) {
    this.throttle = new LogThrottle(baseLog);
    const log = (this.log = this.throttle.logger);
    this.store = new FrameStore({ capacity: config.store.capacity });
    this.consumer = new Consumer(config.external_message_consumer, config.wire, config.store.columns, this.store, log.child('wire'));
    this.trading = new Trading(config, this.store, (p) => this.consumer.isConnected(p), log.child('trading'));
    this.control = new ControlServer(config.control.socket, log.child('control'));
    this.appliance = new Appliance({
      config,
      log: log.child('appliance'),
      producers: () => this.consumer.status(),
      pairs: () => config.external_message_consumer.producers.reduce((n, p) => n + this.store.producerPairs(p.name).length, 0),
      openTrades: () => this.trading.openTrades(),
      strategyProblem: () => this.trading.problem(),
    });
    this.shutdown = new Shutdown({ notify: this.appliance.notify, log, deadlineMs: STOP_DEADLINE_MS, stop: () => this.stop() });

    this.consumer.onEvent((e) => {
      if (e.type === 'message') this.appliance.candle(e.key.timeframe);
      else this.appliance.connectionChanged();
    });
    this.control.handle('status', async () =>
      statusReport(this.consumer.status(), this.store, this.startedAt, this.trading.sections()));
    const exportDir = join(config.datadir, 'export');
    this.control.handle('export', async (): Promise<ExportResult> => {
      // One export at a time: two at once would interleave their files in the one directory.
      const done = this.exporting.then(() => this.store.exportTo(exportDir));
      this.exporting = done.catch(() => undefined);
      return { dir: exportDir, manifest: await done };
    });
  }

  /** Starts every service in order; READY=1 once config, store and journal are up (not waiting for producers). */
  async start(): Promise<void> {
    const services: Service[] = [
      this.throttle,
      this.appliance, // first, so it is stopped last: STOPPING=1 and LEDs cover the whole shutdown
      this.shutdown,
      this.trading, // before the consumer: no frame arrives unseen by the strategy
      this.control,
      this.consumer,
    ].map((s) => ({ name: s.constructor.name, start: () => s.start(), stop: () => s.stop() }));
    for (const s of services) {
      await s.start();
      this.started.push(s);
    }
    await this.appliance.ready();
  }

  /** Stops what was started, in reverse order; a failing stop is logged and the rest still stop. Idempotent. */
  async stop(): Promise<void> {
    while (this.started.length > 0) {
      const s = this.started.pop()!;
      await s.stop().catch((e: unknown) => this.log.error(`stopping ${s.name}: ${(e as Error).message}`));
    }
  }
}
