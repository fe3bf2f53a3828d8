/**
 * One consumer connection as freqtrade's WebSocketChannel runs it: a reader that answers requests strictly in
 * order (the next request is read only after the previous one's replies went out), a broadcaster that sends
 * what the consumer subscribed to, each send followed by a short throttle, and broadcasts bounded by a send
 * timeout (twice the recent average send time, clamped): a consumer that stops reading is disconnected.
 */
import type { WebSocket } from 'ws';
import type { ConsumerRequest } from './consumer-request.js';

/** Where the demo producer says what it does (the daemon's Logger fits; the demo imports nothing of the daemon). */
export interface DemoLog {
  info(msg: string): void;
  warn(msg: string): void;
  debug(msg: string): void;
}

/** A reply: its text, or a function building it when its turn comes (a 1500-row frame is built lazily). */
export type Reply = string | (() => string);

export interface ChannelOptions {
  /** Pause after every send (freqtrade: 10 ms). */
  throttleMs: number;
  /** Send timeout bounds for broadcasts (freqtrade: 1 s .. 3 s; it starts at the upper bound). */
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

/** Answers one request: the replies to send in order, or 'close' to drop the connection (undecodable request). */
export type RequestHandler = (channel: Channel, request: ConsumerRequest) => readonly Reply[] | 'close';

const SEND_SAMPLES = 10;
/** Requests waiting to be answered before the socket stops reading (TCP backpressure, as freqtrade's reader). */
const INBOX_HIGH = 64;
/** Broadcasts waiting for a consumer before it counts as hopelessly behind. */
const OUTBOX_LIMIT = 20_000;

export class Channel {
  /** Message types broadcast to this consumer (freqtrade replaces the list on each valid subscribe). */
  subscriptions: ReadonlySet<string> = new Set();
  private readonly inbox: ConsumerRequest[] = [];
  private readonly outbox: string[] = [];
  private reading = false;
  private broadcasting = false;
  private frozen = false;
  private closed = false;
  private readonly sendTimes: number[] = [];
  private timeoutMs: number;
  /** Messages handed to the socket so far. */
  sent = 0;

  constructor(
    readonly ws: WebSocket,
    readonly name: string,
    private readonly opts: ChannelOptions,
    private readonly handle: RequestHandler,
    private readonly log: DemoLog,
  ) {
    this.timeoutMs = opts.maxTimeoutMs;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Requests and broadcasts not sent yet (the one being sent included). */
  get pending(): number {
    return this.closed ? 0 : this.inbox.length + this.outbox.length + (this.reading ? 1 : 0) + (this.broadcasting ? 1 : 0);
  }

  /** A request arrived: answered after every earlier one. */
  receive(request: ConsumerRequest): void {
    if (this.closed || this.frozen) return;
    this.inbox.push(request);
    if (this.inbox.length >= INBOX_HIGH && !this.ws.isPaused) this.ws.pause();
    if (!this.reading) void this.readLoop();
  }

  /** Queues a broadcast (the caller checked the subscription). */
  broadcast(message: string): void {
    if (this.closed || this.frozen) return;
    if (this.outbox.length >= OUTBOX_LIMIT) {
      this.kill(`${OUTBOX_LIMIT} broadcasts behind`);
      return;
    }
    this.outbox.push(message);
    if (!this.broadcasting) void this.broadcastLoop();
  }

  /** The link goes silent both ways, as a half-open TCP connection: nothing read (no pongs), nothing sent. */
  freeze(): void {
    this.frozen = true;
    this.ws.pause();
    this.inbox.length = 0;
    this.outbox.length = 0;
  }

  /** Drops the connection without a close frame. */
  kill(reason: string): void {
    if (this.closed) return;
    this.log.info(`disconnecting consumer ${this.name}: ${reason}`);
    this.closed = true;
    this.ws.terminate();
  }

  /** The socket closed (either side). */
  onClose(): void {
    this.closed = true;
    this.inbox.length = 0;
    this.outbox.length = 0;
  }

  private async readLoop(): Promise<void> {
    this.reading = true;
    while (this.inbox.length > 0 && !this.closed && !this.frozen) {
      const replies = this.handle(this, this.inbox.shift()!);
      if (replies === 'close') {
        this.closed = true;
        this.ws.close(1000);
        break;
      }
      for (const reply of replies) {
        if (this.closed || this.frozen) break;
        await this.send(typeof reply === 'string' ? reply : reply(), false);
      }
      if (this.inbox.length < INBOX_HIGH / 2 && this.ws.isPaused && !this.frozen) this.ws.resume();
    }
    this.reading = false;
  }

  private async broadcastLoop(): Promise<void> {
    this.broadcasting = true;
    while (this.outbox.length > 0 && !this.closed && !this.frozen) {
      await this.send(this.outbox.shift()!, true);
    }
    this.broadcasting = false;
  }

  /** One send, resolved once the data is handed to the kernel (ws's callback), then the throttle. */
  private async send(message: string, timed: boolean): Promise<void> {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const timer = timed
        ? setTimeout(() => {
            this.kill(`send timed out after ${Math.round(this.timeoutMs)} ms (consumer not reading)`);
            resolve();
          }, this.timeoutMs)
        : undefined;
      this.sent++;
      this.ws.send(message, (err) => {
        clearTimeout(timer);
        if (err === undefined || err === null) this.recordSendTime(performance.now() - started);
        resolve();
      });
    });
    // freqtrade sleeps after every send: it yields to the event loop and paces a burst of frames.
    await new Promise<void>((resolve) =>
      this.opts.throttleMs > 0 ? setTimeout(resolve, this.opts.throttleMs) : setImmediate(resolve),
    );
  }

  private recordSendTime(ms: number): void {
    if (this.sendTimes.push(ms) > SEND_SAMPLES) this.sendTimes.shift();
    if (this.sendTimes.length === SEND_SAMPLES) {
      const avg = this.sendTimes.reduce((a, b) => a + b, 0) / SEND_SAMPLES;
      this.timeoutMs = Math.min(Math.max(avg * 2, this.opts.minTimeoutMs), this.opts.maxTimeoutMs);
    }
  }
}
