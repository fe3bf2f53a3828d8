/**
 * freqtrade's REST API and message websocket on api_server.listen_ip_address:listen_port (node's own http
 * module), so FreqUI and freqtrade-client treat the Pi as one more freqtrade bot. Auth and CORS as freqtrade
 * does them (login.ts, FreqUI's preflights answered for every route). A listening surface, so bounded like the
 * control socket: at most `maxClients` connections (one more is answered 503 in words), a request must arrive
 * whole within `requestMs` of its start (a trickle cannot hold a slot), bodies are capped, and a client that
 * does not read its answers is dropped once `outputBytes` wait for it or `drainMs` pass.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import type { DaemonBus, ProblemBoard } from '../events/index.js';
import type { Logger } from '../log.js';
import { CpuMeter, exchangeName, whitelist, type BotSources } from './bot.js';
import { Login } from './login.js';
import { MessageWs } from './message-ws.js';
import { route, type ApiRequest, type Reply, type RouteContext } from './routes.js';

export interface ApiLimits {
  readonly maxClients: number;
  /** From a request's first byte to its last. */
  readonly requestMs: number;
  readonly bodyBytes: number;
  /** Answer bytes a client may leave unread. */
  readonly outputBytes: number;
  /** How long an answer may take to be read. */
  readonly drainMs: number;
}

export const API_LIMITS: ApiLimits = { maxClients: 32, requestMs: 10_000, bodyBytes: 64 * 1024, outputBytes: 4 << 20, drainMs: 30_000 };

const PREFIX = '/api/v1';
const WS_PATH = `${PREFIX}/message/ws`;
/** The key tokens are signed with when api_server.jwt_secret_key is not set: made once, kept across restarts. */
export const JWT_KEY_FILE = 'api-jwt.key';

export interface ApiServerOptions {
  readonly config: Config;
  readonly bot: BotSources;
  readonly bus: DaemonBus;
  readonly problems: ProblemBoard;
  readonly log: Logger;
  readonly limits?: ApiLimits;
}

export class ApiServer {
  private server: Server | undefined;
  private ws: MessageWs | undefined;
  private readonly sockets = new Set<Socket>();
  private lastFrame: number | null = null;
  private unsubscribe: (() => void) | undefined;
  private readonly limits: ApiLimits;

  constructor(private readonly opts: ApiServerOptions) {
    this.limits = opts.limits ?? API_LIMITS;
  }

  /** Where it listens (null when not): the port when the configuration asked for any (tests). */
  address(): { address: string; port: number } | null {
    const a = this.server?.address();
    return a === undefined || a === null || typeof a === 'string' ? null : { address: a.address, port: a.port };
  }

  /** Connections open now (served or being turned away). */
  clients(): number {
    return this.sockets.size;
  }

  /** Listens when api_server.enabled; a port it cannot have is said on the board, and trading goes on. */
  async start(): Promise<void> {
    const api = this.opts.config.api_server;
    if (!api.enabled || this.server !== undefined) return;
    const { log, bus } = this.opts;
    const login = new Login({
      username: api.username, password: api.password, jwtKey: api.jwt_secret_key ?? this.jwtKey(),
      wsTokens: api.ws_token === undefined ? [] : typeof api.ws_token === 'string' ? [api.ws_token] : api.ws_token,
    });
    const exchange = exchangeName(this.opts.config);
    this.ws = new MessageWs({
      bus, log, whitelist: () => whitelist(this.opts.bot), exchange: exchange.charAt(0).toUpperCase() + exchange.slice(1),
      orderTypes: this.opts.config.order_types, authorize: (t) => login.websocket(t),
    });
    this.ws.start();
    this.unsubscribe = bus.on('frame-stored', () => (this.lastFrame = Date.now()));
    const ctx: RouteContext = { bot: this.opts.bot, cpu: new CpuMeter(), lastProcess: () => this.lastFrame };
    const l = this.limits;
    const server = createServer({ requestTimeout: l.requestMs, headersTimeout: l.requestMs, connectionsCheckingInterval: 1000, keepAliveTimeout: 5000 },
      (req, res) => void this.serve(req, res, login, ctx));
    server.on('connection', (socket) => this.admit(socket));
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== WS_PATH) return void socket.destroy();
      this.ws!.upgrade(req, socket, head, url.searchParams.get('token'));
    });
    server.on('clientError', (e: NodeJS.ErrnoException, socket) => {
      const status = e.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : e.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      else socket.destroy();
    });
    const where = `${api.listen_ip_address}:${api.listen_port}`;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(api.listen_port, api.listen_ip_address, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'EADDRINUSE' ? 'the port is in use by another program' : code === 'EADDRNOTAVAIL' ? 'this machine has no such address' : (e as Error).message;
      this.opts.problems.raise('api-off', `REST API off: cannot listen on ${where}: ${why}`);
      log.error(`REST API: cannot listen on ${where}: ${why}; FreqUI cannot reach this bot, trading goes on`);
      this.stopWs();
      return;
    }
    server.on('error', (e) => log.error(`REST API: ${e.message}`));
    this.server = server;
    log.info(`REST API for FreqUI on http://${where}${PREFIX} (user ${api.username})`);
  }

  async stop(): Promise<void> {
    this.stopWs();
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private stopWs(): void {
    this.ws?.stop();
    this.ws = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** api_server.jwt_secret_key absent: the key in the state directory, made on first use (0600). */
  private jwtKey(): string {
    const dir = this.opts.config.datadir;
    const file = join(dir, JWT_KEY_FILE);
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      const key = randomBytes(32).toString('hex');
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
      } catch (e) {
        this.opts.log.warn(`REST API: cannot keep a login key in ${file} (${(e as Error).message}): logins last until the next restart`);
      }
      return key;
    }
  }

  /** Counts a new connection; one over the limit is told so and closed. */
  private admit(socket: Socket): void {
    if (this.sockets.size >= this.limits.maxClients) {
      const body = JSON.stringify({ detail: `Too many clients: at most ${this.limits.maxClients} connections at once` });
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private async serve(req: IncomingMessage, res: ServerResponse, login: Login, ctx: RouteContext): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const origin = req.headers.origin;
    const cors = origin !== undefined && this.opts.config.api_server.CORS_origins.includes(origin) ? origin : null;
    const send = (status: number, body: string | Buffer, type = 'application/json', headers: Record<string, string> = {}): void => {
      if (res.socket !== null && res.socket.writableLength > this.limits.outputBytes) {
        res.socket.destroy(); // a client that asks and never reads
        return;
      }
      if (cors !== null) {
        res.setHeader('Access-Control-Allow-Origin', cors);
        res.setHeader('Vary', 'Origin');
      }
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
      res.end(method === 'HEAD' ? undefined : body);
      // An answer not handed to the kernel within drainMs: its buffers are full, the client is not reading.
      const socket = req.socket;
      const drain = setTimeout(() => socket.destroy(), this.limits.drainMs).unref();
      res.once('finish', () => clearTimeout(drain));
      const ms = performance.now() - started;
      const line = `${method} ${url.pathname} ${status} ${ms.toFixed(1)} ms`;
      if (status >= 500) this.opts.log.warn(`REST API: ${line}`);
      else if (this.opts.config.api_server.verbosity === 'info') this.opts.log.info(`REST API: ${line}`);
    };
    const json = (r: Reply & { headers?: Record<string, string> }): void => send(r.status, 'bytes' in r ? r.bytes : JSON.stringify(r.json), 'application/json', r.headers);

    if (method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      if (cors === null) return send(400, 'Disallowed CORS origin', 'text/plain');
      return send(200, 'OK', 'text/plain', {
        'Access-Control-Allow-Methods': 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT',
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*',
        'Access-Control-Max-Age': '600',
      });
    }
    if (!url.pathname.startsWith(`${PREFIX}/`)) return json({ status: 404, json: { detail: 'Not Found' } });
    const path = url.pathname.slice(PREFIX.length);
    const body = await this.readBody(req);
    if (body === 'too large') return json({ status: 413, json: { detail: `Request body larger than ${this.limits.bodyBytes} bytes` } });
    if (body === 'not json') return json({ status: 422, json: { detail: [{ type: 'json_invalid', loc: ['body'], msg: 'JSON decode error', input: null }] } });
    const client = req.socket.remoteAddress ?? '?';
    const authorization = req.headers.authorization;

    if (path === '/ping' && (method === 'GET' || method === 'HEAD')) return json({ status: 200, json: { status: 'pong' } });
    if (path === '/token/login' && method === 'POST') return json(authAnswer(login.login(authorization, client)));
    if (path === '/token/refresh' && method === 'POST') return json(authAnswer(login.refresh(authorization)));
    let found: ReturnType<typeof route>;
    try {
      found = route(method, path);
    } catch {
      found = null; // a path parameter that is not valid percent-encoding
    }
    if (found === null) return json({ status: 404, json: { detail: 'Not Found' } });
    if (found === 'method') return json({ status: 405, json: { detail: 'Method Not Allowed' } });
    const who = login.authorize(authorization, client);
    if (!('user' in who)) return json(authAnswer(who));
    const request: ApiRequest = { method, path, query: url.searchParams, body };
    try {
      json(await found.handler(request, found.params, ctx));
    } catch (e) {
      // Never a 500: FreqUI takes any 5xx but 502 for a bot that is down.
      this.opts.log.error(`REST API: ${method} ${path}: ${(e as Error).message}`);
      json({ status: 502, json: { error: `Error querying ${PREFIX}${path}: ${(e as Error).message}` } });
    }
  }

  /**
   * The parsed JSON body, undefined without one. Past bodyBytes the rest is read and dropped (the request's
   * deadline bounds how long), so the client still gets its 413.
   */
  private readBody(req: IncomingMessage): Promise<unknown> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= this.limits.bodyBytes) chunks.push(c);
      });
      req.on('end', () => {
        if (size > this.limits.bodyBytes) return resolve('too large');
        const text = Buffer.concat(chunks).toString('utf8').trim();
        if (text === '') return resolve(undefined);
        try {
          resolve(JSON.parse(text));
        } catch {
          resolve('not json');
        }
      });
      req.on('error', () => resolve(undefined));
    });
  }
}

/** A login answer: the tokens, or freqtrade's 401 (or our 429) with its challenge header. */
function authAnswer(r: ReturnType<Login['login']> | ReturnType<Login['refresh']> | Exclude<ReturnType<Login['authorize']>, { user: string }>): Reply & { headers?: Record<string, string> } {
  if (!('status' in r)) return { status: 200, json: r };
  const headers: Record<string, string> = {};
  if (r.challenge !== null) headers['WWW-Authenticate'] = r.challenge;
  if (r.retryAfterS !== undefined) headers['Retry-After'] = String(r.retryAfterS);
  return { status: r.status, json: { detail: r.detail }, headers };
}
