/**
 * The ingest pipeline, freqtrade's ExternalMessageConsumer: one connection per producer, and for every message
 * envelope -> frame decoder -> store, synchronously, while the socket keeps being read. A message that cannot
 * be used is dropped alone (one error line, counted); freqtrade drops the whole connection instead.
 */
import type { Config, ExternalMessageConsumerConfig, ProducerConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { FrameStore } from '../store/index.js';
import { parseEnvelope, type Envelope } from './envelope.js';
import { FrameDecoder, type DecodeOptions } from './frame-decoder.js';
import type { PairKey } from './market.js';
import {
  ProducerConnection, type ConnectionHandler, type DropReason, type ProducerStatus,
} from './producer-connection.js';
import { RepeatLog } from './repeat-log.js';
import { analyzedDf } from './requests.js';

export type { ConnectionState, DropReason, ProducerStatus } from './producer-connection.js';

/** What LEDs and health checks follow. 'message' comes once per analyzed_df stored. */
export type ConsumerEvent =
  | { readonly type: 'connected'; readonly producer: string }
  | { readonly type: 'disconnected'; readonly producer: string; readonly reason: string }
  | { readonly type: 'refused'; readonly producer: string; readonly reason: string }
  | { readonly type: 'message'; readonly producer: string; readonly key: PairKey };

export type ConsumerListener = (e: ConsumerEvent) => void;

/** A dropped-message problem that has not recurred for this long is logged as new again. */
const DROP_QUIET_MS = 3_600_000;

export class Consumer {
  private readonly feeds: ProducerFeed[];
  private readonly listeners: ConsumerListener[] = [];

  constructor(
    private readonly cfg: ExternalMessageConsumerConfig,
    wire: Config['wire'],
    columns: Config['store']['columns'],
    store: FrameStore,
    private readonly log: Logger,
    now: () => number = Date.now,
  ) {
    this.feeds = cfg.producers.map((p) => new ProducerFeed(p, cfg, wire, columns[p.name], store, this.listeners, log, now));
  }

  /** Connects to every producer (when external_message_consumer.enabled). Connection failures are retried, not thrown. */
  async start(): Promise<void> {
    if (!this.cfg.enabled) {
      this.log.info('external_message_consumer.enabled is false: not connecting to any producer');
      return;
    }
    await Promise.all(this.feeds.map((f) => f.connection.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.feeds.map((f) => f.connection.stop()));
  }

  /** Per producer, in config order: state and counters. */
  status(): ProducerStatus[] {
    return this.feeds.map((f) => f.connection.status());
  }

  /** Whether `producer` has an open connection now (cheap: for the strategy's checks). */
  isConnected(producer: string): boolean {
    return this.feeds.some((f) => f.connection.name === producer && f.connection.state === 'connected');
  }

  onEvent(listener: ConsumerListener): void {
    this.listeners.push(listener);
  }
}

/** One producer's connection and the decoding state that goes with it. */
class ProducerFeed implements ConnectionHandler {
  readonly connection: ProducerConnection;
  private readonly name: string;
  private readonly decoder = new FrameDecoder();
  /** Reused for every frame; only `hint` changes per message. */
  private readonly decodeOptions: DecodeOptions;
  private readonly drops: RepeatLog;
  private readonly ignoredTypes = new Set<string>();
  /** Pairs in the last whitelist logged at info (-1: none since connecting). */
  private whitelistShown = -1;

  constructor(
    producer: ProducerConfig,
    cfg: ExternalMessageConsumerConfig,
    wire: Config['wire'],
    keep: readonly string[] | undefined,
    private readonly store: FrameStore,
    private readonly listeners: readonly ConsumerListener[],
    private readonly log: Logger,
    now: () => number,
  ) {
    this.name = producer.name;
    this.connection = new ProducerConnection(producer, cfg, wire, this, log, now);
    this.decodeOptions = {
      hint: undefined,
      keep: keep === undefined ? null : new Set(keep),
      removeSignals: cfg.remove_entry_exit_signals,
    };
    this.drops = new RepeatLog(log, 'error', DROP_QUIET_MS, now);
  }

  onOpen(): void {
    this.store.connectionReset(this.name); // requests sent on the old connection will not be answered
    this.whitelistShown = -1;
    this.emit({ type: 'connected', producer: this.name });
  }

  onDisconnect(reason: string): void {
    this.emit({ type: 'disconnected', producer: this.name, reason });
  }

  onRefused(reason: string): void {
    this.emit({ type: 'refused', producer: this.name, reason });
  }

  onMessage(msg: Buffer): void {
    let e: Envelope | undefined;
    try {
      e = parseEnvelope(msg);
      this.handle(msg, e);
    } catch (err) {
      // Not expected (the decoder and the store never throw on input); the daemon must survive it anyway.
      const what = e?.kind === 'analyzed_df' ? `analyzed_df ${keyText(e.key)}` : 'a message';
      this.drop('internal', what, `internal error: ${err instanceof Error ? err.message : String(err)}`);
      if (err instanceof Error && err.stack !== undefined) this.log.debug(err.stack);
    }
  }

  private handle(msg: Buffer, e: Envelope): void {
    const counts = this.connection.counters.messages;
    switch (e.kind) {
      case 'analyzed_df':
        this.ingest(msg, e);
        return;
      case 'whitelist':
        counts.whitelist = (counts.whitelist ?? 0) + 1;
        this.store.setWhitelist(this.name, e.pairs);
        if (e.pairs.length !== this.whitelistShown) {
          this.whitelistShown = e.pairs.length;
          this.log.info(`producer ${this.name}: whitelist of ${e.pairs.length} pairs`);
        }
        return;
      case 'ignored':
        counts[e.type] = (counts[e.type] ?? 0) + 1;
        if (!this.ignoredTypes.has(e.type)) {
          this.ignoredTypes.add(e.type);
          this.log.info(`producer ${this.name}: ignoring "${e.type}" messages (the consumer does not use them)`);
        }
        return;
      case 'empty':
        counts[e.type] = (counts[e.type] ?? 0) + 1;
        this.log.debug(`producer ${this.name}: empty ${e.type} message ignored`);
        return;
      case 'invalid':
        this.drop('invalid', 'an invalid message', e.reason);
        return;
      case 'undecodable':
        this.drop('undecodable', 'an undecodable message', e.reason);
        return;
    }
  }

  private ingest(msg: Buffer, e: Extract<Envelope, { kind: 'analyzed_df' }>): void {
    const opts = this.decodeOptions;
    opts.hint = this.store.hint(this.name, e.key);
    const r = this.decoder.decode(msg, e.frameStart, e.frameEnd, opts);
    opts.hint = undefined;
    if (!r.ok) {
      this.drop('frame', `analyzed_df ${keyText(e.key)}`, r.reason);
      return;
    }
    const counts = this.connection.counters.messages;
    counts.analyzed_df = (counts.analyzed_df ?? 0) + 1;
    const frame = this.decoder.frame;
    if (frame.rows === 0) return; // freqtrade ignores a frame without rows
    const out = this.store.ingest(this.name, e.key, e.la, frame);
    switch (out.action) {
      case 'replaced':
      case 'appended':
        if (this.listeners.length > 0) this.emit({ type: 'message', producer: this.name, key: e.key });
        return;
      case 'request':
        if (this.connection.send(analyzedDf(out.limit, out.pair))) {
          this.connection.counters.reRequests++;
          this.log.debug(`producer ${this.name}: requested ${out.limit} candles of ${out.pair} (${keyText(e.key)})`);
        }
        return;
      case 'held_back':
        return;
    }
  }

  private drop(reason: DropReason, what: string, why: string): void {
    this.connection.counters.dropped[reason]++;
    this.drops.report(reason, `producer ${this.name}: dropped ${what}: ${why}`);
  }

  private emit(e: ConsumerEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log.error(`a consumer event listener failed on "${e.type}": ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

function keyText(key: PairKey): string {
  return `${key.pair} ${key.timeframe} ${key.candleType}`;
}
