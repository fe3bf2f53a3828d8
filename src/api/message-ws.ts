/**
 * freqtrade's message websocket for FreqUI (/api/v1/message/ws?token=...): `subscribe` and `whitelist`
 * requests, and the broadcasts FreqUI shows (entry_fill, exit_fill, entry_cancel, exit_cancel, new_candle,
 * whitelist) fed by the daemon's event stream. A client that does not read is dropped once its unsent bytes
 * pass a bound, so a slow browser never holds memory or the ingest that feeds it.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from '../ws-module.js';
import type { DaemonBus, TradeChange } from '../events/index.js';
import type { ClosedTrade, OpenTrade } from '../journal/index.js';
import type { Logger } from '../log.js';
import type { PairKey } from '../protocol/index.js';

/** freqtrade's RPCMessageType values: a subscription naming anything else is ignored as a whole, as freqtrade does. */
const MESSAGE_TYPES = new Set([
  'status', 'warning', 'exception', 'startup', 'entry', 'entry_fill', 'entry_cancel', 'exit', 'exit_fill', 'exit_cancel',
  'protection_trigger', 'protection_trigger_global', 'strategy_msg', 'whitelist', 'analyzed_df', 'new_candle',
]);

export interface MessageWsLimits {
  readonly maxClients: number;
  /** Unsent bytes a client may hold before it is dropped. */
  readonly maxBufferedBytes: number;
  /** Largest message a client may send. */
  readonly maxPayload: number;
}

export const MESSAGE_WS_LIMITS: MessageWsLimits = { maxClients: 8, maxBufferedBytes: 1 << 20, maxPayload: 64 * 1024 };

export interface MessageWsSources {
  readonly bus: DaemonBus;
  readonly whitelist: () => string[];
  /** The exchange's name as freqtrade capitalises it in messages ("Binance"). */
  readonly exchange: string;
  readonly orderTypes: { readonly entry: string; readonly exit: string };
  readonly authorize: (token: string | null) => boolean;
  readonly log: Logger;
}

interface Client {
  readonly ws: WebSocket;
  subscribed: ReadonlySet<string>;
}

/** freqtrade's message times: RFC 3339 with the UTC offset. */
const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace('Z', '+00:00');

export class MessageWs {
  private readonly server: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly src: MessageWsSources, private readonly limits: MessageWsLimits = MESSAGE_WS_LIMITS) {
    this.server = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayload, perMessageDeflate: false });
  }

  start(): void {
    if (this.unsubscribe.length > 0) return;
    const bus = this.src.bus;
    this.unsubscribe.push(
      bus.on('trade', (...change) => this.onTrade(change)),
      bus.on('whitelist', () => this.broadcast('whitelist', { type: 'whitelist', data: this.src.whitelist() })),
      bus.on('frame-stored', (_producer, key: PairKey) => this.broadcast('new_candle', { type: 'new_candle', data: [key.pair, key.timeframe, key.candleType] })),
    );
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
  }

  /** An HTTP upgrade to the message path: accepted with a valid token, else refused as freqtrade refuses it (403). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, token: string | null): void {
    const refuse = (status: string, why: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(why)}\r\n\r\n${why}`);
    };
    if (!this.src.authorize(token)) return refuse('403 Forbidden', 'invalid or missing token');
    if (this.clients.size >= this.limits.maxClients) return refuse('503 Service Unavailable', `at most ${this.limits.maxClients} websocket clients at once`);
    this.server.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    const client: Client = { ws, subscribed: new Set() };
    this.clients.add(client);
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => ws.terminate()); // a protocol error or too large a message: the client goes
    ws.on('message', (data, binary) => {
      if (binary) return;
      let msg: { type?: unknown; data?: unknown };
      try {
        msg = JSON.parse(data.toString()) as typeof msg;
      } catch {
        this.src.log.debug('message websocket: a client sent text that is not JSON; ignored');
        return;
      }
      if (msg?.type === 'subscribe' && Array.isArray(msg.data) && msg.data.length > 0 && msg.data.every((t) => typeof t === 'string' && MESSAGE_TYPES.has(t))) {
        client.subscribed = new Set(msg.data as string[]);
      } else if (msg?.type === 'whitelist') {
        this.send(client, { type: 'whitelist', data: this.src.whitelist() });
      }
    });
  }

  private onTrade(change: TradeChange): void {
    switch (change[0]) {
      case 'entry-filled': return this.broadcast('entry_fill', this.entryMessage('entry_fill', change[1]));
      case 'entry-cancelled': return this.broadcast('entry_cancel', { ...this.entryMessage('entry_cancel', change[1]), reason: change[2] });
      case 'exit-cancelled': return this.broadcast('exit_cancel', {
        ...this.entryMessage('exit_cancel', change[1]), gain: 'profit', profit_amount: 0, profit_ratio: 0, exit_reason: null,
        close_date: rfc3339(Date.now()), reason: change[2],
      });
      case 'closed': return this.broadcast('exit_fill', this.exitMessage(change[1]));
      case 'opened': return; // freqtrade's 'entry' (order placed): FreqUI does not subscribe to it
    }
  }

  private entryMessage(type: string, t: OpenTrade | ClosedTrade): Record<string, unknown> {
    const [base = t.pair, quote = t.stakeCurrency] = t.pair.split(/[/:]/);
    return {
      type, trade_id: t.id, buy_tag: t.enterTag, enter_tag: t.enterTag, exchange: this.src.exchange, pair: t.pair,
      base_currency: base, quote_currency: quote, leverage: 1, direction: t.isShort ? 'Short' : 'Long',
      limit: t.openRate, open_rate: t.openRate, order_type: this.src.orderTypes.entry, stake_amount: t.stakeAmount,
      stake_currency: t.stakeCurrency, fiat_currency: null, amount: t.amount, open_date: rfc3339(t.openedAt ?? t.openDate),
      current_rate: t.isOpen ? t.openRate : t.closeRate, sub_trade: false,
    };
  }

  private exitMessage(t: ClosedTrade): Record<string, unknown> {
    return {
      ...this.entryMessage('exit_fill', t), order_type: this.src.orderTypes.exit, gain: t.profitAbs >= 0 ? 'profit' : 'loss',
      limit: t.closeRate, order_rate: t.closeRate, close_rate: t.closeRate, profit_amount: t.profitAbs, profit_ratio: t.profitRatio,
      exit_reason: t.exitReason, close_date: rfc3339(t.closedAt ?? t.closeDate), cumulative_profit: t.profitAbs,
      final_profit_ratio: t.profitRatio, is_final_exit: true, current_rate: null,
    };
  }

  private broadcast(type: string, msg: unknown): void {
    let text: string | undefined; // made once, only if someone listens
    for (const c of this.clients) {
      if (!c.subscribed.has(type)) continue;
      text ??= JSON.stringify(msg);
      this.send(c, text);
    }
  }

  private send(c: Client, msg: unknown): void {
    if (c.ws.readyState !== c.ws.OPEN) return;
    if (c.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.src.log.warn(`message websocket: a client holds ${c.ws.bufferedAmount} unsent bytes; dropped`);
      c.ws.terminate();
      this.clients.delete(c);
      return;
    }
    c.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }
}
