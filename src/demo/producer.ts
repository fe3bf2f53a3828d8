/**
 * A freqtrade producer in miniature: the message WebSocket of freqtrade's API server (/api/v1/message/ws),
 * serving seeded, realistic analyzed frames on an accelerated (or manual) candle clock, with fault switches
 * for the consumer's integration tests. Behaviour follows freqtrade's api_ws.py / channel.py; see README notes
 * in index.ts for the few places it deliberately differs.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { MESSAGE_WS_PATH, type PairKey } from '../protocol/index.js';
import { Channel, type DemoLog, type Reply } from './channel.js';
import { frameSchema, type FrameSchema } from './columns.js';
import { interpretRequest, parseRequestJson, type ConsumerRequest } from './consumer-request.js';
import { garbageMessage, type GarbageKind } from './garbage.js';
import {
  analyzedDfMessage, EPOCH_LA, exceptionMessage, keyJson, newCandleMessage, whitelistMessage,
} from './messages.js';
import { EMPTY_FRAME_TEXT, PairSeries } from './pair-series.js';
import { checkPairs, seriesOptions, tokenMatcher, type ResolvedOptions } from './options.js';

/** uvicorn's default ws_max_size: the largest request a producer accepts. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
/** Requests kept for received() (a long demo run must not grow without bound). */
const RECEIVED_KEPT = 10_000;

export type FrameCell = number | string | boolean | null;

/** The producer's own current frame of a pair, decoded from the text it would send (what a consumer should hold). */
export interface DemoFrame {
  readonly key: PairKey;
  readonly la: string;
  /** Columns after `date`, in frame order. */
  readonly columns: readonly string[];
  readonly index: readonly number[];
  /** `date` as epoch milliseconds. */
  readonly dates: readonly number[];
  /** One array per column of `columns`, row order. */
  readonly values: readonly (readonly FrameCell[])[];
}

/** Switches that make the producer misbehave the ways real links and producers do. */
export interface DemoFaults {
  /** The next `n` candles of `pair` (default every pair) are not broadcast: the consumer sees a gap. */
  dropCandles(n: number, pair?: string): void;
  /** Sends one broken message about `pair` (default the first whitelisted) to every connection; returns how many. */
  garbage(kind: GarbageKind, opts?: { pair?: string; bytes?: number }): number;
  /** Current connections go half-open: nothing read (pings unanswered, requests ignored), nothing sent. */
  halfOpen(): void;
  /** Drops every connection without a close frame. */
  terminate(): void;
  /** Stops and starts again on the same port after `downMs`, optionally with another column count (schema change). */
  restart(opts?: { columns?: number; downMs?: number }): Promise<void>;
  /** Replies to analyzed_df requests hold at most `rows` candles (a producer that has only just started); null = off. */
  shortHistory(rows: number | null): void;
  /** Refuses every handshake with 403, whatever the token (the producer's ws_token changed). */
  refuse(on: boolean): void;
}

export interface ReceivedRequest {
  /** The request's `type` ('' when the text is not a JSON object). */
  readonly type: string;
  /** Its `data` (undefined when absent; the raw text when it is not JSON). */
  readonly data: unknown;
}

export interface DemoProducer {
  readonly port: number;
  /** `ws://HOST:PORT/api/v1/message/ws` (add `?token=...`). */
  readonly url: string;
  readonly faults: DemoFaults;
  /** Advances the clock by `n` candles: each whitelisted pair gets a new candle, broadcast to subscribers. */
  tick(n?: number): void;
  /** Re-analyzes each whitelisted pair's last candle with moved prices and broadcasts it (same date, new values). */
  reanalyze(): void;
  /** Replaces the whitelist and broadcasts it to subscribers; new pairs get a fresh history. */
  setPairs(pairs: readonly string[]): void;
  /** Every request received so far (the last 10,000), in arrival order. */
  received(): ReceivedRequest[];
  /** Open connections. */
  clients(): number;
  /** Messages sent over every connection so far, and those still waiting to go (requests and broadcasts). */
  traffic(): { readonly sent: number; readonly pending: number };
  frame(pair: string): DemoFrame | undefined;
  stop(): Promise<void>;
}

export class DemoProducerServer implements DemoProducer {
  readonly faults: DemoFaults;
  private server: Server | undefined;
  private readonly wss: WebSocketServer;
  private readonly channels = new Set<Channel>();
  /** Messages sent on connections that have closed. */
  private closedSent = 0;
  private readonly series = new Map<string, PairSeries>();
  private readonly requests: ReceivedRequest[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly tokenOk: (token: string | null) => boolean;
  private schema: FrameSchema;
  private whitelist: readonly string[];
  private lastDate: number;
  private boundPort = 0;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private refusing = false;
  private shortRows = Infinity;
  /** Per pair: broadcasts of rows before this seq are dropped (the gap fault). */
  private readonly silentUntil = new Map<string, number>();

  constructor(private readonly opts: ResolvedOptions, private readonly log: DemoLog) {
    this.tokenOk = tokenMatcher(opts.tokens);
    this.schema = frameSchema(opts.columns, opts.signalStyle);
    this.whitelist = opts.pairs;
    this.lastDate = opts.lastCandleMs;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_REQUEST_BYTES,
      // uvicorn's websockets compresses every message once the consumer offers permessage-deflate.
      perMessageDeflate: opts.deflate ? { threshold: 0 } : false,
    });
    this.faults = {
      dropCandles: (n, pair) => {
        for (const s of this.pairSeries(pair)) this.silentUntil.set(s.key.pair, s.lastSeq + 1 + n);
      },
      garbage: (kind, o) => this.sendGarbage(kind, o?.pair, o?.bytes ?? 9 * 1024 * 1024),
      halfOpen: () => {
        for (const ch of this.channels) ch.freeze();
      },
      terminate: () => {
        for (const ch of this.channels) ch.kill('terminated by fault switch');
      },
      restart: (o) => this.restart(o?.columns, o?.downMs ?? 0),
      shortHistory: (rows) => {
        this.shortRows = rows ?? Infinity;
      },
      refuse: (on) => {
        this.refusing = on;
      },
    };
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    const host = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host;
    return `ws://${host}:${this.boundPort}${MESSAGE_WS_PATH}`;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'running';
    for (const pair of this.whitelist) this.ensureSeries(pair);
    await this.listen(this.opts.port);
    if (this.opts.candleIntervalMs > 0) this.timers.push(setInterval(() => this.tick(1), this.opts.candleIntervalMs));
    if (this.opts.analyzeIntervalMs > 0) this.timers.push(setInterval(() => this.reanalyze(), this.opts.analyzeIntervalMs));
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    await this.closeServer();
    this.wss.close();
  }

  tick(n = 1): void {
    for (let i = 0; i < n; i++) {
      this.lastDate += this.opts.timeframeMs;
      for (const pair of this.whitelist) {
        const s = this.series.get(pair)!;
        s.append();
        this.broadcastRow(s, true);
      }
    }
  }

  reanalyze(): void {
    for (const pair of this.whitelist) {
      const s = this.series.get(pair)!;
      s.update();
      this.broadcastRow(s, false);
    }
  }

  setPairs(pairs: readonly string[]): void {
    this.whitelist = checkPairs(pairs);
    for (const pair of this.whitelist) this.ensureSeries(pair);
    this.broadcast('whitelist', whitelistMessage(this.whitelist));
  }

  received(): ReceivedRequest[] {
    return [...this.requests];
  }

  clients(): number {
    return this.channels.size;
  }

  traffic(): { sent: number; pending: number } {
    let sent = this.closedSent;
    let pending = 0;
    for (const ch of this.channels) {
      sent += ch.sent;
      pending += ch.pending;
    }
    return { sent, pending };
  }

  frame(pair: string): DemoFrame | undefined {
    const s = this.series.get(pair);
    if (s === undefined) return undefined;
    const split = JSON.parse(JSON.parse(`"${s.frameText(0)}"`) as string) as {
      columns: string[];
      index: number[];
      data: FrameCell[][];
    };
    const columns = split.columns.slice(1);
    return {
      key: s.key,
      la: s.la,
      columns,
      index: split.index,
      dates: split.data.map((r) => r[0] as number),
      values: columns.map((_, c) => split.data.map((r) => r[c + 1]!)),
    };
  }

  /** A pair's series, generated (or generated afresh, for a pair coming back) to end at the clock's candle. */
  private ensureSeries(pair: string): void {
    const held = this.series.get(pair);
    if (held !== undefined && held.dateOf(held.lastSeq) === this.lastDate) return;
    const key: PairKey = { pair, timeframe: this.opts.timeframe, candleType: this.opts.candleType };
    const s = new PairSeries(key, this.schema, seriesOptions(this.opts, pair));
    s.fill(this.lastDate);
    this.series.set(pair, s);
  }

  private pairSeries(pair: string | undefined): PairSeries[] {
    const pairs = pair === undefined ? this.whitelist : [pair];
    return pairs.flatMap((p) => this.series.get(p) ?? []);
  }

  private broadcastRow(s: PairSeries, newCandle: boolean): void {
    if (s.lastSeq < (this.silentUntil.get(s.key.pair) ?? 0)) return;
    this.broadcast('analyzed_df', analyzedDfMessage(s.keyText, s.lastRowText(), s.la));
    if (newCandle) this.broadcast('new_candle', newCandleMessage(s.keyText));
  }

  private broadcast(type: string, message: string): void {
    for (const ch of this.channels) if (ch.subscriptions.has(type)) ch.broadcast(message);
  }

  private sendGarbage(kind: GarbageKind, pair: string | undefined, bytes: number): number {
    const s = this.series.get(pair ?? this.whitelist[0] ?? '');
    if (s === undefined) throw new Error(`no frame for pair ${pair ?? '(whitelist is empty)'}`);
    const message = garbageMessage(kind, s, bytes);
    let sent = 0;
    for (const ch of this.channels) {
      if (!ch.isOpen) continue;
      ch.broadcast(message);
      sent++;
    }
    return sent;
  }

  private handle(channel: Channel, request: ConsumerRequest): readonly Reply[] | 'close' {
    switch (request.kind) {
      case 'undecodable':
        this.log.info(`closing connection of ${channel.name}: request is not JSON text`);
        return 'close';
      case 'invalid':
        this.log.warn(`invalid request from ${channel.name}: ${request.reason}`);
        return [];
      case 'failed':
        this.log.warn(`request from ${channel.name} failed: ${request.reason}`);
        return [exceptionMessage()];
      case 'subscribe':
        if (request.topics !== null) channel.subscriptions = new Set(request.topics);
        return [];
      case 'whitelist':
        return [whitelistMessage(this.whitelist)];
      case 'analyzed_df': {
        const pairs = request.pair !== null ? [request.pair] : [...this.whitelist];
        return pairs.map((pair) => () => this.frameMessage(pair, request.limit));
      }
    }
  }

  private frameMessage(pair: string, limit: number): string {
    const s = this.series.get(pair);
    if (s === undefined) {
      const key = keyJson({ pair, timeframe: this.opts.timeframe, candleType: this.opts.candleType });
      return analyzedDfMessage(key, EMPTY_FRAME_TEXT, EPOCH_LA);
    }
    return analyzedDfMessage(s.keyText, s.frameText(limit, this.shortRows), s.la);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://producer');
    const refusal =
      url.pathname !== MESSAGE_WS_PATH ? 'unknown path'
      : this.refusing ? 'refusing every token (fault switch)'
      : !this.tokenOk(url.searchParams.get('token')) ? 'wrong or missing token'
      : undefined;
    if (refusal !== undefined) {
      // freqtrade closes before accepting, which its server turns into an HTTP 403 on the handshake.
      this.log.warn(`refused a consumer handshake from ${req.socket.remoteAddress ?? '?'}: ${refusal}`);
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req));
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const name = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? 0}`;
    const channel = new Channel(ws, name, this.opts.channel, (ch, r) => this.handle(ch, r), this.log);
    this.channels.add(channel);
    this.log.info(`consumer connected: ${name}`);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const text = isBinary ? undefined : data.toString();
      const msg = text === undefined ? undefined : parseRequestJson(text);
      const obj = typeof msg === 'object' && msg !== null && !Array.isArray(msg) ? (msg as Record<string, unknown>) : undefined;
      this.requests.push(
        obj !== undefined
          ? { type: typeof obj.type === 'string' ? obj.type : '', data: obj.data }
          : { type: '', data: text ?? `(binary, ${(data as Buffer).length} bytes)` },
      );
      if (this.requests.length > RECEIVED_KEPT) this.requests.splice(0, this.requests.length - RECEIVED_KEPT);
      channel.receive(interpretRequest(msg));
    });
    ws.on('error', (err) => this.log.debug(`connection ${name}: ${err.message}`));
    ws.on('close', () => {
      channel.onClose();
      this.channels.delete(channel);
      this.closedSent += channel.sent;
      this.log.info(`consumer disconnected: ${name}`);
    });
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    this.log.info(`demo producer listening on ${this.url}`);
  }

  private async closeServer(): Promise<void> {
    const closed = [...this.channels].map((ch) => new Promise((resolve) => ch.ws.once('close', resolve)));
    for (const ch of this.channels) ch.kill('producer stopping');
    await Promise.all(closed);
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async restart(columns: number | undefined, downMs: number): Promise<void> {
    if (this.state !== 'running') return;
    await this.closeServer();
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    if (this.state !== 'running') return;
    if (columns !== undefined) this.schema = frameSchema(columns, this.opts.signalStyle);
    // A restarted freqtrade analyzes its candles afresh: warm-up rows at the top again, new `la`.
    for (const s of this.series.values()) s.reanalyze(this.schema);
    await this.listen(this.boundPort);
  }
}
