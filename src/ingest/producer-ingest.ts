/**
 * One producer's ingest pipeline, freqtrade's ExternalMessageConsumer for one producer: its connection, its
 * frame decoder, the store, its re-requests and its counters. A message travels one way, synchronously, while
 * the socket keeps being read: connection -> envelope -> decoder -> store -> (an event, or a request for the
 * candles that are missing). A message that cannot be used is dropped alone (one error line, counted);
 * freqtrade drops the whole connection instead.
 */
import type { Config, ExternalMessageConsumerConfig, ProducerConfig } from '../config/index.js';
import type { DaemonBus } from '../events/index.js';
import type { Logger } from '../log.js';
import { analyzedDf, type PairKey } from '../protocol/index.js';
import type { FrameStore } from '../store/index.js';
import {
  FrameDecoder, ProducerConnection, RepeatLog, parseEnvelope, type ConnectionError, type ConnectionHandler,
  type ConnectionState, type DecodeOptions, type Envelope, type LinkStatus,
} from '../wire/index.js';
import { RequestThrottle } from './request-throttle.js';

/**
 * Why a message was dropped: wrong shape, not JSON, frame text not decodable, over the size limit, bad WebSocket
 * data (the connection fails for the last two), or a bug of ours caught at the boundary.
 */
export type DropReason = 'invalid' | 'undecodable' | 'frame' | 'oversize' | 'protocol' | 'internal';

/** What ingest counts per producer, beside the link's own counters. */
export interface IngestCounters {
  /** Messages by `type` (whitelist, analyzed_df, new_candle, ...); dropped ones are in `dropped`. */
  readonly messages: Readonly<Record<string, number>>;
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** analyzed_df requests sent for single pairs (first contact, gaps). */
  readonly re_requests: number;
  readonly decode_ms: DecodeTimes;
}

/**
 * How long the frames decoded since the connection came up took (ms): the first (cold on the process's first
 * connection: V8 has compiled nothing yet), the tenth, the latest and all of them; null until there is one.
 */
export interface DecodeTimes {
  readonly frames: number;
  readonly first: number | null;
  readonly tenth: number | null;
  readonly last: number | null;
  readonly total: number;
}

/** One producer's status: the link and what came over it. */
export type ProducerStatus = LinkStatus & IngestCounters;

/** A dropped-message problem that has not recurred for this long is logged as new again. */
const DROP_QUIET_MS = 3_600_000;

/** A key's re-request state. */
interface KeyRequests {
  readonly timeframe: string;
  readonly candleType: string;
  readonly throttle: RequestThrottle;
}

export class ProducerIngest implements ConnectionHandler {
  readonly connection: ProducerConnection;
  readonly name: string;
  private readonly decoder = new FrameDecoder();
  /** Reused for every frame; only `hint` changes per message. */
  private readonly decodeOptions: DecodeOptions;
  private readonly drops: RepeatLog;
  private readonly ignoredTypes = new Set<string>();
  /** pair -> its keys' request state (a few timeframes/candle types at most, so a short list). */
  private readonly requests = new Map<string, KeyRequests[]>();
  private readonly messages: Record<string, number> = {};
  private readonly dropped: Record<DropReason, number> = { invalid: 0, undecodable: 0, frame: 0, oversize: 0, protocol: 0, internal: 0 };
  private reRequests = 0;
  /** Decode times since connecting, kept as plain numbers (NaN: none yet) so a frame allocates nothing for them. */
  private decodes = 0;
  private decodeFirst = NaN;
  private decodeTenth = NaN;
  private decodeLast = NaN;
  private decodeTotal = 0;
  /** Pairs in the last whitelist logged at info (-1: none since connecting). */
  private whitelistShown = -1;

  constructor(
    producer: ProducerConfig,
    cfg: ExternalMessageConsumerConfig,
    wire: Config['wire'],
    keep: readonly string[] | undefined,
    private readonly store: FrameStore,
    private readonly bus: DaemonBus,
    private readonly log: Logger,
    /** Monotonic ms for the re-request backoff. */
    private readonly clock: () => number,
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

  status(): ProducerStatus {
    return {
      ...this.connection.status(), messages: { ...this.messages }, dropped: { ...this.dropped }, re_requests: this.reRequests,
      decode_ms: {
        frames: this.decodes, first: ms3(this.decodeFirst), tenth: ms3(this.decodeTenth), last: ms3(this.decodeLast),
        total: ms3(this.decodeTotal) ?? 0,
      },
    };
  }

  onState(state: ConnectionState, error: ConnectionError | null): void {
    if (state === 'connected') {
      // Requests sent on the old connection will never be answered.
      for (const list of this.requests.values()) for (const r of list) r.throttle.connectionReset();
      this.whitelistShown = -1;
      this.decodes = this.decodeTotal = 0;
      this.decodeFirst = this.decodeTenth = this.decodeLast = NaN;
    }
    if (error?.code === 'oversize') this.dropped.oversize++;
    else if (error?.code === 'bad-data') this.dropped.protocol++;
    this.bus.emit('connection', this.name, state, error);
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
    switch (e.kind) {
      case 'analyzed_df':
        this.ingest(msg, e);
        return;
      case 'whitelist':
        this.count('whitelist');
        this.store.setWhitelist(this.name, e.pairs);
        if (e.pairs.length !== this.whitelistShown) {
          this.whitelistShown = e.pairs.length;
          this.log.info(`producer ${this.name}: whitelist of ${e.pairs.length} pairs`);
        }
        this.bus.emit('whitelist', this.name, this.store.producerPairs(this.name));
        return;
      case 'ignored':
        this.count(e.type);
        if (!this.ignoredTypes.has(e.type)) {
          this.ignoredTypes.add(e.type);
          this.log.info(`producer ${this.name}: ignoring "${e.type}" messages (the consumer does not use them)`);
        }
        return;
      case 'empty':
        this.count(e.type);
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
    opts.hint = this.store.kinds(this.name, e.key);
    const t0 = performance.now();
    const r = this.decoder.decode(msg, e.frameStart, e.frameEnd, opts);
    opts.hint = undefined;
    if (!r.ok) {
      this.drop('frame', `analyzed_df ${keyText(e.key)}`, r.reason);
      return;
    }
    this.decoded(performance.now() - t0);
    this.count('analyzed_df');
    const requests = this.requestsOf(e.key);
    const out = this.store.ingest(this.name, e.key, e.la, this.decoder.frame, requests.outstanding);
    switch (out.action) {
      case 'replaced':
      case 'appended':
        requests.answered();
        this.bus.emit('frame-stored', this.name, e.key, out.action);
        return;
      case 'missing':
        if (requests.tryRequest(this.clock()) && this.connection.send(analyzedDf(out.limit, e.key.pair))) {
          this.reRequests++;
          this.log.debug(`producer ${this.name}: requested ${out.limit} candles of ${e.key.pair} (${keyText(e.key)})`);
        }
        return;
      case 'skipped': // freqtrade ignores a frame without rows
        return;
    }
  }

  private requestsOf(key: PairKey): RequestThrottle {
    let list = this.requests.get(key.pair);
    if (list === undefined) this.requests.set(key.pair, (list = []));
    for (let i = 0; i < list.length; i++) {
      const r = list[i]!;
      if (r.timeframe === key.timeframe && r.candleType === key.candleType) return r.throttle;
    }
    const throttle = new RequestThrottle();
    list.push({ timeframe: key.timeframe, candleType: key.candleType, throttle });
    return throttle;
  }

  private decoded(ms: number): void {
    if (++this.decodes === 1) this.decodeFirst = ms;
    else if (this.decodes === 10) this.decodeTenth = ms;
    this.decodeLast = ms;
    this.decodeTotal += ms;
  }

  private count(type: string): void {
    this.messages[type] = (this.messages[type] ?? 0) + 1;
  }

  private drop(reason: DropReason, what: string, why: string): void {
    this.dropped[reason]++;
    this.drops.report(reason, `producer ${this.name}: dropped ${what}: ${why}`);
  }
}

/** Milliseconds to the microsecond, null for none. */
function ms3(ms: number): number | null {
  return Number.isNaN(ms) ? null : Math.round(ms * 1000) / 1000;
}

function keyText(key: PairKey): string {
  return `${key.pair} ${key.timeframe} ${key.candleType}`;
}
