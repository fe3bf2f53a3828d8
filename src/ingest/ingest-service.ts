/**
 * The ingest service: one ProducerIngest per configured producer (external_message_consumer.producers), started
 * and stopped together. It also keeps the "token refused" problem on the board while any producer refuses.
 */
import type { Config, ExternalMessageConsumerConfig } from '../config/index.js';
import type { DaemonBus, ProblemBoard } from '../events/index.js';
import type { Logger } from '../log.js';
import type { FrameStore } from '../store/index.js';
import { ProducerIngest, type ProducerStatus } from './producer-ingest.js';

export interface IngestOptions {
  readonly consumer: ExternalMessageConsumerConfig;
  readonly wire: Config['wire'];
  /** Per producer name: the only columns kept besides date and OHLCV (store.columns). */
  readonly columns: Config['store']['columns'];
  readonly store: FrameStore;
  readonly bus: DaemonBus;
  readonly problems: ProblemBoard;
  readonly log: Logger;
  /** Wall clock, epoch ms (message times). */
  readonly now?: () => number;
  /** Monotonic ms (re-request backoff). */
  readonly clock?: () => number;
}

export class IngestService {
  private readonly feeds: ProducerIngest[];
  private readonly refused = new Set<string>();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly opts: IngestOptions) {
    const { consumer, wire, columns, store, bus, log } = opts;
    const now = opts.now ?? Date.now;
    const clock = opts.clock ?? (() => performance.now());
    this.feeds = consumer.producers.map((p) => new ProducerIngest(p, consumer, wire, columns[p.name], store, bus, log, clock, now));
  }

  /** Connects to every producer (when external_message_consumer.enabled). Connection failures are retried, not thrown. */
  async start(): Promise<void> {
    this.unsubscribe ??= this.opts.bus.on('connection', this.onConnection);
    if (!this.opts.consumer.enabled) {
      this.opts.log.info('external_message_consumer.enabled is false: not connecting to any producer');
      return;
    }
    await Promise.all(this.feeds.map((f) => f.connection.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.feeds.map((f) => f.connection.stop()));
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Per producer, in config order: link state and counters. */
  status(): ProducerStatus[] {
    return this.feeds.map((f) => f.status());
  }

  private readonly onConnection = (producer: string, state: string): void => {
    const changed = state === 'refused' ? !this.refused.has(producer) && this.refused.add(producer) : this.refused.delete(producer);
    if (!changed) return;
    const names = [...this.refused];
    this.opts.problems.set('token-refused', names.length === 0 ? null : `token refused by producer ${names.join(', ')}`);
  };

  /** Whether `producer` has an open connection now (cheap: for the strategy's checks). */
  isConnected(producer: string): boolean {
    return this.feeds.some((f) => f.name === producer && f.connection.state === 'connected');
  }
}
