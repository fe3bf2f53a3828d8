/**
 * One producer's message WebSocket: connect, send freqtrade's initial requests, hand every message over
 * synchronously, notice silence and half-open links, reconnect. PROTOCOL.md "Connection" is the spec:
 * - no keep-alive pings: after `wait_timeout` s without a message send one ping, and when no pong comes within
 *   `ping_timeout` s drop the socket at once (terminate, no close handshake);
 * - a connection that was open and closes is re-opened immediately; a failed connect attempt (refused, DNS,
 *   HTTP 403, ...) waits (connect-schedule.ts says how long);
 * - `message_size_limit` is ws's `maxPayload`, so a larger message fails the connection (1009) before it is
 *   buffered whole (also after decompression).
 *
 * The lifecycle is a state machine: the states and the moves between them are in TRANSITIONS, and every change
 * of state goes through move(), which tells the handler. Each socket is an Attempt that holds what is known about
 * it and its two timers; it is dropped whole when the socket closes, so nothing needs resetting.
 * The token is only ever in the URL handed to ws; logs, errors and status show `address`, which has none.
 */
import { performance } from 'node:perf_hooks';
import type { IncomingMessage } from 'node:http';
import { WebSocket, type ClientOptions, type RawData } from '../ws-module.js';
import type { Config, ExternalMessageConsumerConfig, ProducerConfig } from '../config/index.js';
import type { Logger } from '../log.js';
import { hostProblem, initialRequests, producerAddress } from '../protocol/index.js';
import { ConnectSchedule } from './connect-schedule.js';
import { connectionError, type ConnectionError } from './connection-error.js';
import { RepeatLog } from './repeat-log.js';
import { closeError, redactToken, socketError } from './socket-errors.js';

export type ConnectionState = 'connecting' | 'connected' | 'backoff' | 'refused' | 'stopped';

/** Every move the lifecycle may make; move() refuses any other (a bug, logged, never silently taken). */
const TRANSITIONS: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  stopped: ['connecting'], // start()
  connecting: ['connected', 'backoff', 'refused', 'stopped'], // open, failed attempt, HTTP 403, stop()
  connected: ['connecting', 'backoff', 'stopped'], // dropped: again at once, or after a wait when it keeps dropping
  backoff: ['connecting', 'stopped'], // retry timer, stop()
  refused: ['connecting', 'stopped'],
};

/** The link's own counters since start (ingest counts the messages). */
export interface LinkCounters {
  readonly connects: number;
  /** Connect attempts that failed since the last successful one. */
  readonly failed_attempts: number;
  /** Message bytes received (after decompression). */
  readonly bytes: number;
  /** Epoch ms of the last message, null before the first. */
  readonly last_message_at: number | null;
  /** Epoch ms of the last message or pong: the link's last sign of life (the watchdog's liveness check). */
  readonly last_frame_at: number | null;
}

export interface LinkStatus extends LinkCounters {
  readonly name: string;
  /** ws(s)://host:port/api/v1/message/ws, without the token. */
  readonly address: string;
  readonly state: ConnectionState;
  /** Why the last attempt failed or the last connection closed; null while none did. */
  readonly last_error: ConnectionError | null;
}

/** What the connection tells its user. Every call is synchronous; onMessage must not defer work to later. */
export interface ConnectionHandler {
  /**
   * The state changed; `error` is why it left 'connected' or why the attempt failed (null for 'connecting',
   * 'connected' and a requested stop). On 'connected' the initial requests go out right after this returns.
   */
  onState(state: ConnectionState, error: ConnectionError | null): void;
  /** One whole message (a view that is only valid during the call). */
  onMessage(msg: Buffer): void;
}

/** As freqtrade's consumer (websockets' open_timeout): a blackholed host fails the attempt after 10 s. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** One socket, from connect to close: what happened on it, and its supervision timers. */
class Attempt {
  opened = false;
  openedAt = 0;
  httpStatus = 0;
  /** The first cause of failure seen; the one reported when the socket closes. */
  failure: ConnectionError | null = null;
  idleTimer: NodeJS.Timeout | undefined;
  pongTimer: NodeJS.Timeout | undefined;

  constructor(readonly ws: WebSocket) {}

  fail(e: ConnectionError): void {
    this.failure ??= e;
  }

  dispose(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.pongTimer);
  }
}

export class ProducerConnection {
  readonly name: string;
  /** ws(s)://host:port/api/v1/message/ws: what logs and status show, never with the token. */
  readonly address: string;
  private readonly addressProblem: string | undefined;
  private current: ConnectionState = 'stopped';
  private lastError: ConnectionError | null = null;
  private readonly counters = { connects: 0, failed_attempts: 0, bytes: 0, last_message_at: null as number | null, last_frame_at: null as number | null };
  private attempt: Attempt | null = null;
  /** start() was called and stop() was not: a closed socket is followed by another. */
  private running = false;
  private stopping: { promise: Promise<void>; resolve: () => void; timer: NodeJS.Timeout | undefined } | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly schedule: ConnectSchedule;

  /** Failed attempts and quick drops, logged at growing intervals. */
  private readonly troubles: RepeatLog;
  /** A trouble line was logged since the last 'connected' line: the next connect is worth an info line. */
  private announced = false;

  constructor(
    private readonly producer: ProducerConfig,
    private readonly cfg: ExternalMessageConsumerConfig,
    wire: Config['wire'],
    private readonly handler: ConnectionHandler,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.name = producer.name;
    this.troubles = new RepeatLog(log, 'warn');
    this.address = producerAddress(producer.host, producer.port, producer.secure);
    this.addressProblem = hostProblem(producer.host);
    this.schedule = new ConnectSchedule(ms(cfg.sleep_time), ms(wire.max_backoff), () => performance.now());
    this.wsOptions = {
      maxPayload: cfg.message_size_limit * 1024 * 1024,
      perMessageDeflate: wire.compression,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      followRedirects: false,
    };
  }

  private readonly wsOptions: ClientOptions;

  get state(): ConnectionState {
    return this.current;
  }

  status(): LinkStatus {
    return { name: this.name, address: this.address, state: this.current, last_error: this.lastError, ...this.counters };
  }

  /** Starts connecting. An invalid host is a configuration error: logged, state 'stopped', never retried. */
  async start(): Promise<void> {
    if (this.running) return;
    await this.stopping?.promise;
    if (this.addressProblem !== undefined) {
      this.lastError = connectionError('invalid-address', `host ${this.addressProblem}`);
      this.log.error(`producer ${this.name}: ${this.lastError.message}; not connecting (fix external_message_consumer.producers)`);
      return;
    }
    this.running = true;
    this.connect(null);
  }

  /** Closes politely (terminating when the peer does not answer in time) and stops reconnecting. */
  stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    const a = this.attempt;
    if (a === null) {
      if (this.current !== 'stopped') this.move('stopped', null);
      return this.stopping?.promise ?? Promise.resolve();
    }
    if (this.stopping === null) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      let timer: NodeJS.Timeout | undefined;
      if (a.ws.readyState === WebSocket.OPEN) {
        a.ws.close(1000, 'consumer stopping');
        // a peer that does not finish the close handshake must not hold up shutdown
        timer = setTimeout(() => a.ws.terminate(), Math.min(ms(this.cfg.ping_timeout), 2000));
      } else {
        a.ws.terminate();
      }
      this.stopping = { promise, resolve, timer };
    }
    return this.stopping.promise;
  }

  /** Sends one request; false when not connected (requests sent on an old connection are never answered). */
  send(text: string): boolean {
    const ws = this.attempt?.ws;
    if (ws === undefined || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(text);
    return true;
  }

  /** The one place the state changes: checked against TRANSITIONS, then told to the handler. */
  private move(next: ConnectionState, error: ConnectionError | null): void {
    if (!TRANSITIONS[this.current].includes(next)) {
      this.log.error(`producer ${this.name}: internal error: no transition from ${this.current} to ${next}`);
    }
    this.current = next;
    if (error !== null) this.lastError = error;
    this.handler.onState(next, error);
  }

  /** Opens a socket and moves to 'connecting'; `cause` is the drop that made this reconnect, if any. */
  private connect(cause: ConnectionError | null): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(`${this.address}?token=${encodeURIComponent(this.producer.ws_token)}`, this.wsOptions);
    } catch (err) {
      // hostProblem() accepted the host, so this is unexpected; ws's message would contain the whole URL.
      this.running = false;
      this.lastError = connectionError('invalid-address', redactToken(socketError(err).message, this.producer.ws_token));
      this.log.error(`producer ${this.name}: cannot connect to ${this.address}: ${this.lastError.message}; not retrying`);
      if (this.current !== 'stopped') this.move('stopped', this.lastError);
      return;
    }
    const a = new Attempt(ws);
    this.attempt = a;
    this.move('connecting', cause);
    ws.on('open', () => this.onOpen(a));
    ws.on('message', (data: RawData) => this.onMessage(a, data as Buffer)); // binaryType 'nodebuffer': one Buffer, fragments joined
    ws.on('pong', () => this.onPong(a));
    ws.on('unexpected-response', (_req: unknown, res: IncomingMessage) => {
      a.httpStatus = res.statusCode ?? 0;
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err: Error) => this.onError(a, err));
    ws.on('close', (code: number) => this.onClose(a, code));
  }

  private onOpen(a: Attempt): void {
    a.opened = true;
    a.openedAt = performance.now();
    const c = this.counters;
    c.connects++;
    const after = c.failed_attempts;
    c.failed_attempts = 0;
    const line = `producer ${this.name}: connected to ${this.address}${after > 0 ? ` after ${after} failed attempt${after === 1 ? '' : 's'}` : ''}`;
    if (c.connects === 1 || this.announced) this.log.info(line);
    else this.log.debug(line);
    this.announced = false;
    this.schedule.connected();
    this.move('connected', null);
    for (const r of initialRequests(this.cfg.initial_candle_limit)) a.ws.send(r);
    a.idleTimer = setTimeout(() => this.onIdle(a), ms(this.cfg.wait_timeout));
  }

  private onMessage(a: Attempt, msg: Buffer): void {
    const c = this.counters;
    c.bytes += msg.length;
    c.last_message_at = c.last_frame_at = this.now();
    this.alive(a);
    this.handler.onMessage(msg);
  }

  private onPong(a: Attempt): void {
    this.counters.last_frame_at = this.now();
    this.alive(a);
  }

  private alive(a: Attempt): void {
    a.idleTimer?.refresh();
    if (a.pongTimer !== undefined) {
      clearTimeout(a.pongTimer);
      a.pongTimer = undefined;
    }
  }

  /** wait_timeout passed without a message: ask the peer whether it is still there. */
  private onIdle(a: Attempt): void {
    if (a.ws.readyState !== WebSocket.OPEN) return;
    a.ws.ping();
    a.pongTimer = setTimeout(() => {
      a.fail(connectionError('no-pong', `no message for ${this.cfg.wait_timeout} s and no pong within ${this.cfg.ping_timeout} s`));
      a.ws.terminate();
    }, ms(this.cfg.ping_timeout));
  }

  private onError(a: Attempt, err: Error): void {
    const code = (err as { code?: unknown }).code;
    if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      a.fail(connectionError('oversize', `a message exceeded message_size_limit (${this.cfg.message_size_limit} MB) (1009)`));
    } else if (typeof code === 'string' && code.startsWith('WS_ERR_')) {
      a.fail(connectionError('bad-data', `bad WebSocket data from the producer: ${err.message}`));
    } else {
      const e = socketError(err);
      a.fail({ code: e.code, message: redactToken(e.message, this.producer.ws_token) });
      return;
    }
    // ws has written its close frame (1009, 1007 ...). Drop the socket now rather than read the rest of the
    // bad message only to discard it (a 20 MB message over Wi-Fi), and rather than wait for the peer's answer.
    a.ws.terminate();
  }

  private onClose(a: Attempt, code: number): void {
    a.dispose();
    this.attempt = null;
    const stopping = this.stopping;
    if (!this.running) {
      if (stopping !== null) {
        clearTimeout(stopping.timer);
        this.stopping = null;
      }
      this.move('stopped', null);
      stopping?.resolve();
      return;
    }
    if (a.opened) this.dropped(a, a.failure ?? closeError(code));
    else this.attemptFailed(a);
  }

  /** An open connection closed: reconnect at once, unless it keeps dropping right after connecting. */
  private dropped(a: Attempt, why: ConnectionError): void {
    if (performance.now() - a.openedAt >= ms(this.cfg.sleep_time)) this.troubles.reset(); // it was healthy: a new story
    const wait = this.schedule.afterDrop();
    const line = `producer ${this.name}: disconnected: ${why.message}`;
    if (wait === 0) {
      this.trouble(line, '; reconnecting now');
      this.connect(why);
    } else {
      // A peer that fails every connection the same way (a message always over the limit) is not reconnected
      // to in a tight loop.
      this.trouble(line, `; reconnecting in ${seconds(wait)}`);
      this.move('backoff', why);
      this.retryIn(wait);
    }
  }

  /** A connect attempt failed before the WebSocket opened. */
  private attemptFailed(a: Attempt): void {
    this.counters.failed_attempts++;
    const refused = a.httpStatus === 403;
    const wait = this.schedule.afterFailure(refused);
    const next = `; retrying in ${seconds(wait)}`;
    if (refused) {
      const e = connectionError('refused', `refused: token rejected by producer ${this.name}`);
      this.trouble(`${e.message} (HTTP 403 on ${this.address})`, next);
      this.move('refused', e);
    } else {
      const e = a.httpStatus !== 0
        ? connectionError('http-status', `HTTP ${a.httpStatus} instead of a WebSocket upgrade`)
        : a.failure ?? connectionError('closed', 'connection closed during the handshake');
      this.trouble(`producer ${this.name}: cannot connect to ${this.address}: ${e.message}`, next);
      this.move('backoff', e);
    }
    this.retryIn(wait);
  }

  private retryIn(wait: number): void {
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.running) this.connect(null);
    }, wait);
  }

  private trouble(what: string, next: string): void {
    if (this.troubles.report(what, what + next)) this.announced = true;
  }
}

/** Config values are seconds, fractions allowed. */
function ms(s: number): number {
  return Math.max(0, Math.round(s * 1000));
}

function seconds(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Number((ms / 1000).toFixed(3))} s`;
}

export type { ConnectionError };
