/**
 * A real WebSocket server on 127.0.0.1 playing the producer's side at the socket level, for precise
 * connection tests: it checks the token like freqtrade (HTTP 403 before the upgrade), records what each
 * client sends, and lets a test drive every connection by hand.
 */
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';

export interface PeerOptions {
  token?: string;
  port?: number;
  perMessageDeflate?: boolean;
  /** Answer pings (a half-open link is simulated with false). */
  autoPong?: boolean;
}

export class WsPeer {
  /** Text messages received from clients, in arrival order, across connections. */
  readonly received: string[] = [];
  /** Every accepted connection, oldest first. */
  readonly sockets: WebSocket[] = [];
  /** Tokens presented by refused handshakes. */
  readonly refusedTokens: string[] = [];
  readonly closeCodes: number[] = [];
  pings = 0;
  /** Date.now() of each ping received. */
  readonly pingTimes: number[] = [];
  token: string;
  /** HTTP status for a handshake with a wrong token (freqtrade: 403). */
  refuseStatus = 403;
  private killed = false;

  private constructor(
    readonly server: WebSocketServer,
    readonly port: number,
    token: string,
  ) {
    this.token = token;
  }

  static async start(opts: PeerOptions = {}): Promise<WsPeer> {
    let peer: WsPeer | undefined;
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: opts.port ?? 0,
      perMessageDeflate: opts.perMessageDeflate ?? false,
      autoPong: opts.autoPong ?? true,
      verifyClient: (info, cb) => {
        const token = new URL(info.req.url ?? '', 'http://x').searchParams.get('token') ?? '';
        const ok = info.req.url?.startsWith('/api/v1/message/ws?') === true && token === peer!.token;
        if (!ok) peer!.refusedTokens.push(token);
        cb(ok, peer!.refuseStatus);
      },
    });
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    peer = new WsPeer(server, port, opts.token ?? 'secret');
    server.on('connection', (ws) => peer.accept(ws));
    return peer;
  }

  private accept(ws: WebSocket): void {
    this.sockets.push(ws);
    ws.on('message', (data) => {
      this.received.push(String(data));
    });
    ws.on('ping', () => {
      this.pings++;
      this.pingTimes.push(Date.now());
    });
    ws.on('close', (code) => this.closeCodes.push(code));
  }

  latest(): WebSocket {
    const ws = this.sockets.at(-1);
    if (ws === undefined) throw new Error('no connection yet');
    return ws;
  }

  /** Drops every client at once (a producer that is killed) and stops listening. */
  async kill(): Promise<void> {
    if (this.killed) return;
    this.killed = true;
    for (const ws of this.server.clients) ws.terminate();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
