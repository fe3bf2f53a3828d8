/**
 * Composition root: builds the daemon's services by hand, starts them in order and stops them in reverse.
 * Nothing here does work of its own; each service lives in its capability folder. The event stream and the
 * problem board are made here and handed to every part that emits into them or follows them.
 */
import { join } from 'node:path';
import { ApiServer } from './api/index.js';
import { Appliance, LogThrottle, Shutdown, statusReport } from './appliance/index.js';
import { ControlServer, type ExportResult } from './control/index.js';
import { packageVersion, type Config } from './config/index.js';
import { ProblemBoard, createDaemonBus, type DaemonBus } from './events/index.js';
import { exportStore } from './export/index.js';
import { IngestService } from './ingest/index.js';
import type { Logger, RecentLogs } from './log.js';
import { FrameStore } from './store/index.js';
import { Trading } from './strategy/index.js';

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
  readonly bus: DaemonBus;
  readonly problems: ProblemBoard;
  readonly store: FrameStore;
  readonly ingest: IngestService;
  readonly trading: Trading;
  readonly control: ControlServer;
  readonly appliance: Appliance;
  readonly api: ApiServer;
  private readonly shutdown: Shutdown;
  /** Repeated log lines summarised (journald and the SD card); started first, stopped last to flush its counts. */
  private readonly throttle: LogThrottle;
  private readonly log: Logger;
  private exporting: Promise<unknown> = Promise.resolve();

  /** `recent`: the lines the logger keeps for the REST API's /logs. */
  constructor(config: Config, baseLog: Logger, recent: RecentLogs | null = null) {
    this.throttle = new LogThrottle(baseLog);
    const log = (this.log = this.throttle.logger);
    const bus = (this.bus = createDaemonBus((line) => log.error(line)));
    const problems = (this.problems = new ProblemBoard(bus));
    const store = (this.store = new FrameStore({ capacity: config.store.capacity }));
    this.ingest = new IngestService({
      consumer: config.external_message_consumer,
      wire: config.wire,
      columns: config.store.columns,
      store,
      bus,
      problems,
      log: log.child('wire'),
    });
    this.trading = new Trading({
      config,
      frames: store,
      bus,
      problems,
      isProducerConnected: (p) => this.ingest.isConnected(p),
      log: log.child('trading'),
    });
    this.control = new ControlServer(config.control.socket, log.child('control'));
    this.appliance = new Appliance({
      config,
      log: log.child('appliance'),
      bus,
      problems,
      producers: () => this.ingest.status(),
      pairs: () => config.external_message_consumer.producers.reduce((n, p) => n + store.producerPairs(p.name).length, 0),
      openTrades: () => this.trading.openTrades(),
    });
    this.api = new ApiServer({
      config, bus, problems, log: log.child('api'),
      bot: { config, version: packageVersion(), startedAt: this.startedAt, trading: this.trading, store, logs: recent },
    });
    this.shutdown = new Shutdown({ notify: this.appliance.notify, log, deadlineMs: STOP_DEADLINE_MS, stop: () => this.stop() });

    this.control.handle('status', async () => statusReport({
      producers: this.ingest.status(),
      store,
      trading: this.trading.status(),
      problems: problems.list(),
      startedAt: this.startedAt,
    }));
    this.control.handle('stopentry', async () => [this.trading.stopEntries(true) ? 'entries stopped; open trades still exit' : 'trading is off']);
    this.control.handle('start', async () => [this.trading.stopEntries(false) ? 'entries resumed' : 'trading is off']);
    this.control.handle('forceexit', async (args) => {
      const t = args['trade'];
      if (t !== 'all' && !(typeof t === 'number' && Number.isInteger(t) && t > 0)) throw new Error('trade must be a trade id or "all"');
      return this.trading.forceExit(t);
    });
    const exportDir = join(config.datadir, 'export');
    this.control.handle('export', async (): Promise<ExportResult> => {
      // One export at a time: two at once would interleave their files in the one directory.
      const done = this.exporting.then(() => exportStore(store, exportDir));
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
      this.trading, // before ingest: no frame arrives unseen by the strategy
      this.control,
      this.api,
      this.ingest,
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
