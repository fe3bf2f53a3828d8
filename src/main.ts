/**
 * Composition root: builds the daemon's services by hand, starts them in order and stops them in reverse.
 * Nothing here does work of its own; each service lives in its capability folder.
 */
import type { Config } from './config/types.js';
import type { Logger } from './log.js';
import { FrameStore } from './store/index.js';
import { Consumer } from './wire/consumer.js';
import { ControlServer } from './appliance/control-server.js';

interface Service {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The ft-edge daemon: `ft-edge run`. */
export class Daemon {
  private readonly started: Service[] = [];
  private readonly startedAt = Date.now();
  readonly store: FrameStore;
  readonly consumer: Consumer;
  readonly control: ControlServer;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    this.store = new FrameStore({ capacity: config.store.capacity });
    this.consumer = new Consumer(
      config.external_message_consumer,
      config.wire,
      config.store.columns,
      this.store,
      log.child('wire'),
    );
    this.control = new ControlServer(config.control.socket, log.child('control'));
  }

  async start(): Promise<void> {
    this.control.handle('status', async () => this.status());
    this.control.handle('export', async (args) => this.store.exportTo(exportDir(args)));
    const services: Service[] = [
      { name: 'control socket', start: () => this.control.start(), stop: () => this.control.stop() },
      { name: 'producer connections', start: () => this.consumer.start(), stop: () => this.consumer.stop() },
    ];
    for (const s of services) {
      await s.start();
      this.started.push(s);
    }
    this.log.info(`running: ${this.config.external_message_consumer.producers.length} producer(s)`);
  }

  async stop(): Promise<void> {
    while (this.started.length > 0) {
      const s = this.started.pop()!;
      try {
        await s.stop();
      } catch (e) {
        this.log.error(`stopping ${s.name}: ${(e as Error).message}`);
      }
    }
  }

  status(): unknown {
    const keys = [...this.store.keys()].map((k) => ({
      producer: k.producer,
      key: [k.key.pair, k.key.timeframe, k.key.candleType],
      rows: k.rows,
      last_date: new Date(k.lastDate).toISOString(),
      la: k.la,
    }));
    return {
      producers: this.consumer.status(),
      keys,
      process: { rss: process.memoryUsage.rss(), uptime_s: Math.round((Date.now() - this.startedAt) / 1000) },
    };
  }
}

function exportDir(args: unknown): string {
  const out = (args as { out?: unknown } | undefined)?.out;
  if (typeof out !== 'string' || !out.startsWith('/')) throw new Error('export needs an absolute "out" directory');
  return out;
}
