/**
 * The daemon's local control socket (`ft-edge status`, `ft-edge export`): a unix stream socket, mode 0600 so
 * only the service's own user (and root) can talk to it, carrying newline-delimited JSON (control-protocol.ts).
 * A bad request gets an error answer; nothing a client sends can throw out of here or grow a buffer unbounded:
 * - one request at a time per client, and the next one is not read before the previous answer has been taken
 *   (a client that does not read holds one answer, then is dropped after `drainMs`);
 * - a request must be complete within `requestMs` of its first byte (a trickle cannot hold a slot);
 * - at most `maxConnections` clients; one more is told so in words and closed.
 */
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from '../log.js';
import { MAX_REQUEST_BYTES, type ControlResponse } from './control-protocol.js';

export type ControlHandler = (args: Readonly<Record<string, unknown>>) => Promise<unknown>;

/** The limits on clients; the defaults suit a status poller plus a few humans. */
export interface ControlLimits {
  /** Clients at once. */
  readonly maxConnections: number;
  /** A connection that sends nothing for this long (while no request of it is running) is closed. */
  readonly idleMs: number;
  /** From a request's first byte to its newline. */
  readonly requestMs: number;
  /** An answer the client has not taken (read) within this is its last. */
  readonly drainMs: number;
}

export const CONTROL_LIMITS: ControlLimits = { maxConnections: 16, idleMs: 60_000, requestMs: 10_000, drainMs: 30_000 };

export class ControlServer {
  private readonly handlers = new Map<string, ControlHandler>();
  /** The connections being served (at most maxConnections). */
  private readonly clients = new Set<Socket>();
  /** Every open connection, served or being turned away. */
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;

  constructor(
    private readonly path: string,
    private readonly log: Logger,
    private readonly limits: ControlLimits = CONTROL_LIMITS,
  ) {}

  /** Registers the handler for requests `{"cmd": name}`; a later registration of the same name replaces it. */
  handle(name: string, handler: ControlHandler): void {
    this.handlers.set(name, handler);
  }

  /** Creates the socket (and its directory, 0750, if missing). Rejects with a one-line Error. */
  async start(): Promise<void> {
    if (this.server !== undefined) return;
    await mkdir(dirname(this.path), { recursive: true, mode: 0o750 });
    await this.removeStaleSocket();
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // bind() happens synchronously inside listen(): the umask makes the socket 0600 from its first moment.
      const umask = process.umask(0o177);
      try {
        server.listen(this.path, () => {
          server.off('error', reject);
          resolve();
        });
      } finally {
        process.umask(umask);
      }
    }).catch((e: unknown) => {
      throw new Error(`cannot listen on ${this.path}: ${(e as Error).message}`);
    });
    server.on('error', (e) => this.log.error(`control socket: ${e.message}`));
    this.server = server;
    await chmod(this.path, 0o600);
    this.log.info(`control socket at ${this.path}`);
  }

  /** Closes every connection and the socket, and removes the socket file. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const c of this.sockets) c.destroy();
    await closed;
    await unlink(this.path).catch(() => {}); // server.close() usually removes it already
  }

  /** A socket file left behind by a crash is removed; one that still answers belongs to a running daemon. */
  private async removeStaleSocket(): Promise<void> {
    const st = await lstat(this.path).catch(() => undefined);
    if (st === undefined) return;
    if (!st.isSocket()) throw new Error(`${this.path} exists and is not a socket; not touching it`);
    const alive = await new Promise<boolean>((resolve) => {
      const probe = connect(this.path);
      probe.once('connect', () => {
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => resolve(false));
    });
    if (alive) throw new Error(`another ft-edge is already running (its control socket ${this.path} answers)`);
    await unlink(this.path);
    this.log.info(`removed stale control socket ${this.path}`);
  }

  private accept(socket: Socket): void {
    socket.on('error', () => {}); // a client vanishing mid-answer is its business
    // Every socket is tracked, so that stop() ends them all; only the ones being served count against the limit.
    this.sockets.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.clients.delete(socket);
    });
    const limits = this.limits;
    if (this.clients.size >= limits.maxConnections) {
      lastWord(socket, `the daemon is busy: ${limits.maxConnections} control connections are open; try again`);
      return;
    }
    this.clients.add(socket);
    let pending: Buffer = Buffer.alloc(0);
    let busy = false;
    let deadline: NodeJS.Timeout | undefined;
    socket.setTimeout(limits.idleMs, () => {
      if (!busy) socket.destroy();
    });
    const refuse = (error: string): void => {
      clearTimeout(deadline);
      pending = Buffer.alloc(0);
      socket.removeAllListeners('data');
      this.clients.delete(socket); // its slot is free at once
      lastWord(socket, error);
    };

    // One request at a time: the socket is paused while a handler runs and until its answer is taken.
    const pump = async (): Promise<void> => {
      for (let nl = pending.indexOf(10); nl >= 0; nl = pending.indexOf(10)) {
        const line = pending.subarray(0, nl);
        pending = pending.subarray(nl + 1);
        clearTimeout(deadline);
        deadline = pending.length > 0 ? this.requestDeadline(refuse) : undefined;
        if (line.toString('utf8').trim() === '') continue;
        busy = true;
        socket.pause();
        const answer = await this.answer(line);
        if (socket.destroyed) return;
        if (!socket.write(answer + '\n') && !(await drained(socket, limits.drainMs))) {
          socket.destroy(); // holds an answer it does not read: no more of its memory
          return;
        }
        busy = false;
        socket.resume();
      }
    };

    socket.on('data', (chunk: Buffer) => {
      if (pending.length === 0) deadline = this.requestDeadline(refuse);
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const nl = pending.indexOf(10);
      if ((nl < 0 ? pending.length : nl) > MAX_REQUEST_BYTES) {
        refuse(`request larger than ${MAX_REQUEST_BYTES} bytes`);
        return;
      }
      if (!busy) void pump();
    });
  }

  /** A timer that refuses the request when it is not complete by `requestMs` from now. */
  private requestDeadline(refuse: (error: string) => void): NodeJS.Timeout {
    const ms = this.limits.requestMs;
    const t = setTimeout(() => refuse(`request not complete within ${ms / 1000} s of its first byte`), ms);
    t.unref();
    return t;
  }

  /** The response line for one request line; never throws. */
  private async answer(line: Buffer): Promise<string> {
    let request: unknown;
    try {
      request = JSON.parse(line.toString('utf8'));
    } catch {
      return reply({ ok: false, error: 'request is not JSON' });
    }
    const req = request as { cmd?: unknown; args?: unknown } | null;
    const args = req?.args ?? {};
    if (typeof req !== 'object' || req === null || Array.isArray(req) || typeof req.cmd !== 'string' || !isObject(args)) {
      return reply({ ok: false, error: 'request must be {"cmd": NAME, "args": {...}}' });
    }
    const handler = this.handlers.get(req.cmd);
    if (handler === undefined) {
      const name = req.cmd.length <= 40 ? JSON.stringify(req.cmd) : 'with that name';
      return reply({ ok: false, error: `unknown command ${name} (known: ${[...this.handlers.keys()].join(', ')})` });
    }
    try {
      return reply({ ok: true, result: (await handler(args)) ?? null });
    } catch (e) {
      const message = oneLine(e instanceof Error ? e.message : String(e));
      this.log.warn(`${req.cmd} request failed: ${message}`);
      if (e instanceof Error && e.stack !== undefined) this.log.debug(e.stack);
      return reply({ ok: false, error: message });
    }
  }
}

/** JSON text of a response; a result that cannot be serialised becomes an error answer. */
function reply(r: ControlResponse): string {
  try {
    return JSON.stringify(r);
  } catch (e) {
    return JSON.stringify({ ok: false, error: `result cannot be sent: ${oneLine((e as Error).message)}` });
  }
}

/** Sends one error line and closes: at once when it is written, or after a second for a client that does not read. */
function lastWord(socket: Socket, error: string): void {
  socket.pause(); // read no more of it
  socket.end(reply({ ok: false, error }) + '\n', () => socket.destroy());
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Whether `socket` took its buffered output within `ms` (false: it did not, or it closed). */
function drained(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      resolve(ok);
    };
    const onDrain = (): void => done(true);
    const onClose = (): void => done(false);
    const timer = setTimeout(() => done(false), ms);
    socket.on('drain', onDrain);
    socket.on('close', onClose);
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' | ');
}
