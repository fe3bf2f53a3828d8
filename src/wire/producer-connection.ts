/**
 * One producer's message WebSocket: connect, send freqtrade's initial requests, hand every message over
 * synchronously, notice silence and half-open links, reconnect. PROTOCOL.md "Connection" is the spec:
 * - no keep-alive pings: after `wait_timeout` s without a message send one ping, and when no pong comes within
 *   `ping_timeout` s drop the socket at once (terminate, no close handshake);
 * - a connection that was open and closes is re-opened immediately; a failed connect attempt (refused, DNS,
 *   HTTP 403, ...) waits `sleep_time` s, doubling while attempts keep failing, up to `wire.max_backoff`;
 * - `message_size_limit` is ws's `maxPayload`, so a larger message fails the connection (1009) before it is
 *   buffered whole (also after decompression).
 * The token is only ever in the URL handed to ws; logs, errors and status show `address`, which has none.
 */
import { performance } from 'node:perf_hooks';
import type { IncomingMessage } from 'node:http';
import { WebSocket, type RawData } from 'ws';
import type { Config, ExternalMessageConsumerConfig, ProducerConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { RepeatLog } from './repeat-log.js';
import { initialRequests } from './requests.js';
import { describeClose, describeError } from './socket-errors.js';

export type ConnectionState = 'connecting' | 'connected' | 'backoff' | 'refused' | 'stopped';

/**
 * Why a message was dropped: wrong shape, not JSON, frame text not decodable, over the size limit, bad WebSocket
 * data (ws fails the connection for the last two), or a bug of ours caught at the boundary.
 */
export type DropReason = 'invalid' | 'undecodable' | 'frame' | 'oversize' | 'protocol' | 'internal';

/** Per-producer counters since start. The consumer counts messages, drops and re-requests into them. */
export interface ProducerCounters {
  connects: number;
  /** Connect attempts that failed since the last successful one. */
  failedAttempts: number;
  /** Message bytes received (after decompression). */
  bytes: number;
  /** Messages by `type` (whitelist, analyzed_df, new_candle, ...); dropped ones are in `dropped`. */
  messages: Record<string, number>;
  dropped: Record<DropReason, number>;
  /** analyzed_df requests sent for single pairs (first contact, gaps). */
  reRequests: number;
  /** Epoch ms of the last message, null before the first. */
  lastMessageAt: number | null;
  /** Epoch ms of the last message or pong: the link's last sign of life (the watchdog's liveness check). */
  lastFrameAt: number | null;
}

export interface ProducerStatus extends ProducerCounters {
  name: string;
  /** ws(s)://host:port/api/v1/message/ws, without the token. */
  address: string;
  state: ConnectionState;
  /** Why the last attempt failed or the last connection closed; null while none did. */
  lastError: string | null;
}

/** What the connection tells its user. Every call is synchronous; onMessage must not defer work to later. */
export interface ConnectionHandler {
  /** Open; the initial requests go out right after this returns. */
  onOpen(): void;
  /** One whole message (a view that is only valid during the call). */
  onMessage(msg: Buffer): void;
  /** An open connection closed; a reconnect follows. */
  onDisconnect(reason: string): void;
  /** The producer refused the handshake (HTTP 403: wrong token); retried with backoff. */
  onRefused(reason: string): void;
}

const PATH = '/api/v1/message/ws';
/** As freqtrade's consumer (websockets' open_timeout): a blackholed host fails the attempt after 10 s. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export class ProducerConnection {
  readonly name: string;
  readonly counters: ProducerCounters = {
    connects: 0,
    failedAttempts: 0,
    bytes: 0,
    messages: {},
    dropped: { invalid: 0, undecodable: 0, frame: 0, oversize: 0, protocol: 0, internal: 0 },
    reRequests: 0,
    lastMessageAt: null,
    lastFrameAt: null,
  };
  /** ws(s)://host:port/api/v1/message/ws: what logs and status show, never with the token. */
  readonly address: string;
  private readonly problem: string | null;
  private current: ConnectionState = 'stopped';
  private lastError: string | null = null;
  private url = '';
  private requests: readonly string[] = [];
  private ws: WebSocket | null = null;
  private running = false;
  private stopping: Promise<void> | null = null;
  private stopped: (() => void) | null = null;

  // The current socket's story, reset when it closes.
  private opened = false;
  private openedAt = 0;
  private httpStatus = 0;
  private failure: string | null = null;

  private retryTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  /** When the last reconnect without waiting happened (performance.now() ms): at most one per sleep_time. */
  private lastImmediate = -Infinity;

  /** Failed attempts and quick drops, logged at growing intervals. */
  private readonly troubles: RepeatLog;
  /** A trouble line was logged since the last 'connected' line: the next connect is worth an info line. */
  private announced = false;

  constructor(
    private readonly producer: ProducerConfig,
    private readonly cfg: ExternalMessageConsumerConfig,
    private readonly wire: Config['wire'],
    private readonly handler: ConnectionHandler,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.name = producer.name;
    this.troubles = new RepeatLog(log, 'warn');
    const target = producerUrl(producer);
    this.address = target.address;
    this.problem = target.problem;
  }

  get state(): ConnectionState {
    return this.current;
  }

  status(): ProducerStatus {
    const c = this.counters;
    return {
      name: this.name,
      address: this.address,
      state: this.current,
      lastError: this.lastError,
      connects: c.connects,
      failedAttempts: c.failedAttempts,
      bytes: c.bytes,
      messages: { ...c.messages },
      dropped: { ...c.dropped },
      reRequests: c.reRequests,
      lastMessageAt: c.lastMessageAt,
      lastFrameAt: c.lastFrameAt,
    };
  }

  /** Starts connecting. An invalid host is a configuration error: logged, state 'stopped', never retried. */
  async start(): Promise<void> {
    if (this.running) return;
    if (this.stopping !== null) await this.stopping;
    if (this.problem !== null) {
      this.lastError = this.problem;
      this.log.error(`producer ${this.name}: ${this.problem}; not connecting (fix external_message_consumer.producers)`);
      return;
    }
    this.url = `${this.address}?token=${encodeURIComponent(this.producer.ws_token)}`;
    this.requests = initialRequests(this.cfg.initial_candle_limit);
    this.running = true;
    this.connect();
  }

  /** Closes politely (terminating when the peer does not answer in time) and stops reconnecting. */
  stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    if (ws === null) {
      this.current = 'stopped';
      return this.stopping ?? Promise.resolve();
    }
    if (this.stopping === null) {
      this.stopping = new Promise((resolve) => (this.stopped = resolve));
      if (ws.readyState === WebSocket.OPEN) {
        ws.close(1000, 'consumer stopping');
        // a peer that does not finish the close handshake must not hold up shutdown
        this.closeTimer = setTimeout(() => ws.terminate(), Math.min(this.ms(this.cfg.ping_timeout), 2000));
      } else {
        ws.terminate();
      }
    }
    return this.stopping;
  }

  /** Sends one request; false when not connected (the store forgets outstanding requests on reconnect). */
  send(text: string): boolean {
    const ws = this.ws;
    if (ws === null || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(text);
    return true;
  }

  private connect(): void {
    this.current = 'connecting';
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url, {
        maxPayload: this.cfg.message_size_limit * 1024 * 1024,
        perMessageDeflate: this.wire.compression,
        handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
        followRedirects: false,
      });
    } catch (err) {
      // producerUrl() accepted the URL, so this is unexpected; ws's message would contain the whole URL.
      this.running = false;
      this.current = 'stopped';
      this.lastError = this.redact(describeError(err));
      this.log.error(`producer ${this.name}: cannot connect to ${this.address}: ${this.lastError}; not retrying`);
      return;
    }
    this.ws = ws;
    ws.on('open', this.onWsOpen);
    ws.on('message', this.onWsMessage);
    ws.on('pong', this.onWsPong);
    ws.on('unexpected-response', this.onWsUnexpectedResponse);
    ws.on('error', this.onWsError);
    ws.on('close', this.onWsClose);
  }

  private readonly onWsOpen = (): void => {
    const ws = this.ws!;
    this.opened = true;
    this.openedAt = performance.now();
    this.current = 'connected';
    this.counters.connects++;
    const after = this.counters.failedAttempts;
    this.counters.failedAttempts = 0;
    const line = `producer ${this.name}: connected to ${this.address}${after > 0 ? ` after ${after} failed attempt${after === 1 ? '' : 's'}` : ''}`;
    if (this.counters.connects === 1 || this.announced) this.log.info(line);
    else this.log.debug(line);
    this.announced = false;
    this.handler.onOpen();
    for (const r of this.requests) ws.send(r);
    this.idleTimer = setTimeout(this.onIdle, this.ms(this.cfg.wait_timeout));
  };

  private readonly onWsMessage = (data: RawData): void => {
    const msg = data as Buffer; // binaryType 'nodebuffer': always one Buffer, fragments joined
    const c = this.counters;
    c.bytes += msg.length;
    c.lastMessageAt = c.lastFrameAt = this.now();
    this.idleTimer?.refresh();
    if (this.pongTimer !== undefined) this.alive();
    this.handler.onMessage(msg);
  };

  private readonly onWsPong = (): void => {
    this.counters.lastFrameAt = this.now();
    this.alive();
    this.idleTimer?.refresh();
  };

  private alive(): void {
    clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
  }

  /** wait_timeout passed without a message: ask the peer whether it is still there. */
  private readonly onIdle = (): void => {
    const ws = this.ws;
    if (ws === null || ws.readyState !== WebSocket.OPEN) return;
    ws.ping();
    this.pongTimer = setTimeout(this.onNoPong, this.ms(this.cfg.ping_timeout));
  };

  private readonly onNoPong = (): void => {
    this.pongTimer = undefined;
    this.failure = `no message for ${this.cfg.wait_timeout} s and no pong within ${this.cfg.ping_timeout} s`;
    this.ws?.terminate();
  };

  private readonly onWsUnexpectedResponse = (_req: unknown, res: IncomingMessage): void => {
    this.httpStatus = res.statusCode ?? 0;
    res.resume();
    this.ws?.terminate();
  };

  private readonly onWsError = (err: Error): void => {
    if (this.failure !== null) return; // the first cause is the one that counts
    const code = (err as { code?: unknown }).code;
    if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.counters.dropped.oversize++;
      this.failure = `a message exceeded message_size_limit (${this.cfg.message_size_limit} MB) (1009)`;
    } else if (typeof code === 'string' && code.startsWith('WS_ERR_')) {
      this.counters.dropped.protocol++;
      this.failure = `bad WebSocket data from the producer: ${err.message}`;
    } else {
      this.failure = this.redact(describeError(err));
      return;
    }
    // ws has written its close frame (1009, 1007 ...). Drop the socket now rather than read the rest of the
    // bad message only to discard it (a 20 MB message over Wi-Fi), and rather than wait for the peer's answer.
    this.ws?.terminate();
  };

  private readonly onWsClose = (code: number): void => {
    clearTimeout(this.idleTimer);
    clearTimeout(this.closeTimer);
    this.alive();
    this.idleTimer = this.closeTimer = undefined;
    const wasOpen = this.opened;
    const status = this.httpStatus;
    const reason = this.failure ?? (wasOpen ? describeClose(code) : 'connection closed during the handshake');
    this.ws = null;
    this.opened = false;
    this.httpStatus = 0;
    this.failure = null;

    if (!this.running) {
      this.current = 'stopped';
      this.stopping = null;
      this.stopped?.();
      this.stopped = null;
      return;
    }
    if (wasOpen) {
      this.lastError = reason;
      const now = performance.now();
      const sleep = this.ms(this.cfg.sleep_time);
      // A connection that lived for sleep_time was healthy: its drop starts a new story.
      if (now - this.openedAt >= sleep) this.troubles.reset();
      this.handler.onDisconnect(reason);
      if (now - this.lastImmediate >= sleep) {
        this.lastImmediate = now;
        this.trouble(`producer ${this.name}: disconnected: ${reason}`, '; reconnecting now');
        this.connect();
      } else {
        // It dropped again soon after an immediate reconnect: wait, or a peer that fails every connection
        // the same way (a message always over the limit) would be reconnected to in a tight loop.
        this.trouble(`producer ${this.name}: disconnected: ${reason}`, `; reconnecting in ${seconds(sleep)}`);
        this.retryIn(sleep, 'backoff');
      }
      return;
    }
    const failed = ++this.counters.failedAttempts;
    const delay = Math.min(
      Math.max(this.ms(this.wire.max_backoff), this.ms(this.cfg.sleep_time)),
      this.ms(this.cfg.sleep_time) * 2 ** Math.min(failed - 1, 30),
    );
    const next = `; retrying in ${seconds(delay)}`;
    if (status === 403) {
      this.lastError = `refused: token rejected by producer ${this.name}`;
      this.trouble(`${this.lastError} (HTTP 403 on ${this.address})`, next);
      this.handler.onRefused(this.lastError);
      this.retryIn(delay, 'refused');
      return;
    }
    this.lastError = status !== 0 ? `HTTP ${status} instead of a WebSocket upgrade` : reason;
    this.trouble(`producer ${this.name}: cannot connect to ${this.address}: ${this.lastError}`, next);
    this.retryIn(delay, 'backoff');
  };

  private retryIn(ms: number, state: 'backoff' | 'refused'): void {
    this.current = state;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.running) this.connect();
    }, ms);
  }

  private trouble(what: string, next: string): void {
    if (this.troubles.report(what, what + next)) this.announced = true;
  }

  /** Config values are seconds, fractions allowed. */
  private ms(s: number): number {
    return Math.max(0, Math.round(s * 1000));
  }

  /** Belt and braces: no error text of a dependency may carry the token into a log line. */
  private redact(text: string): string {
    const t = this.producer.ws_token;
    if (t.length === 0) return text;
    return text.split(t).join('***').split(encodeURIComponent(t)).join('***');
  }
}

/** The URL without the token, and what is wrong with the host if anything (a configuration error). */
function producerUrl(p: ProducerConfig): { address: string; problem: string | null } {
  const bare = p.host.replace(/^\[(.*)\]$/, '$1');
  const host = bare.includes(':') ? `[${bare}]` : bare; // IPv6 literal
  const address = `${p.secure ? 'wss' : 'ws'}://${host}:${p.port}${PATH}`;
  let ok = bare !== '' && !/[\s/?#@\\[\]%]/.test(bare);
  try {
    ok &&= new URL(address).pathname === PATH;
  } catch {
    ok = false;
  }
  return { address, problem: ok ? null : `invalid host "${p.host}" or port ${p.port}` };
}

function seconds(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Number((ms / 1000).toFixed(3))} s`;
}
