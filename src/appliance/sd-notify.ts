/**
 * sd_notify(3) over the real protocol: one datagram per message ("READY=1", "STATUS=...", "WATCHDOG=1",
 * "STOPPING=1") to the AF_UNIX socket named by $NOTIFY_SOCKET; a no-op when that is unset.
 *
 * How the datagrams are sent: Node's dgram module has no AF_UNIX, and the npm `systemd-notify` package spawns the
 * systemd-notify binary per call, which cannot send WATCHDOG=1 for us (the sender would be a child, and with
 * NotifyAccess=main systemd drops messages from any PID but the main one) and would cost a process per ping.
 * `unix-dgram` is a small native binding (zigbee2mqtt uses it for this job) whose sendmsg(2) runs in our own
 * process. If it fails to load, sd_notify is off with one warning: the daemon works without it.
 *
 * Abstract sockets (`@name`): unix-dgram 2.0.7 copies the path with strncpy and passes sizeof(sockaddr_un) as the
 * address length, so it can neither carry the leading NUL nor the exact length an abstract name needs (checked:
 * a send to an abstract socket bound by another process fails with ECONNREFUSED). Sending anyway would reach a
 * different, all-NUL abstract name, so we warn once and stay silent. systemd hands system services a path
 * socket (/run/systemd/notify), so the appliance is not affected.
 */
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import type { Logger } from '../log.js';

/** Where $NOTIFY_SOCKET points. */
export type NotifyAddress = { readonly kind: 'path'; readonly path: string } | { readonly kind: 'abstract'; readonly name: string };

/** Parses $NOTIFY_SOCKET as sd_notify(3) does: `/path`, or `@name` for the abstract namespace. Null = unset/unusable. */
export function notifyAddress(value: string | undefined): NotifyAddress | null {
  if (value === undefined || value === '') return null;
  if (value.startsWith('@')) return value.length > 1 ? { kind: 'abstract', name: value.slice(1) } : null;
  return value.startsWith('/') ? { kind: 'path', path: value } : null;
}

/** The part of unix-dgram's socket we use. */
interface DgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, callback: (err?: Error & { code?: unknown }) => void): void;
  close(): void;
  on(event: 'error', listener: (err: Error) => void): void;
}
interface UnixDgram {
  createSocket(type: 'unix_dgram'): DgramSocket;
}

export class SdNotify {
  private socket: DgramSocket | null = null;
  private path: string | null = null;
  /** Error codes already warned about: a missing socket warns once, not once per ping. */
  private readonly warned = new Set<string>();

  constructor(
    private readonly log: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** True when messages actually go to systemd. */
  get enabled(): boolean {
    return this.socket !== null;
  }

  async start(): Promise<void> {
    if (this.socket !== null) return;
    const address = notifyAddress(this.env['NOTIFY_SOCKET']);
    if (address === null) {
      if (this.env['NOTIFY_SOCKET']) this.log.warn(`NOTIFY_SOCKET is not a socket address; sd_notify is off`);
      return;
    }
    if (address.kind === 'abstract') {
      this.log.warn(`NOTIFY_SOCKET @${address.name} is an abstract socket, which unix-dgram cannot address; sd_notify is off`);
      return;
    }
    const dgram = loadUnixDgram();
    if (typeof dgram === 'string') {
      this.log.warn(`sd_notify is off: the unix-dgram module did not load (${dgram})`);
      return;
    }
    try {
      const socket = dgram.createSocket('unix_dgram');
      socket.on('error', (e) => this.failed(e));
      this.socket = socket;
      this.path = address.path;
    } catch (e) {
      this.log.warn(`sd_notify is off: cannot create a unix datagram socket (${(e as Error).message})`);
    }
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = this.path = null;
    try {
      socket?.close();
    } catch {
      // Closing a socket we are done with cannot fail in a way worth reporting.
    }
  }

  /** Start-up finished; optionally with the first status line. */
  ready(status?: string): void {
    this.send(status === undefined ? 'READY=1' : `READY=1\nSTATUS=${oneLine(status)}`);
  }

  /** The line `systemctl status` shows. */
  status(line: string): void {
    this.send(`STATUS=${oneLine(line)}`);
  }

  /** Shutdown has begun. */
  stopping(): void {
    this.send('STOPPING=1');
  }

  /** Resets systemd's watchdog timer. */
  watchdog(): void {
    this.send('WATCHDOG=1');
  }

  /** Sends newline-separated assignments. False when sd_notify is off or the send failed. */
  send(state: string): boolean {
    const socket = this.socket;
    if (socket === null || this.path === null) return false;
    const buf = Buffer.from(state, 'utf8');
    let ok = true;
    // unix-dgram calls back synchronously.
    socket.send(buf, 0, buf.length, this.path, (err) => {
      if (err !== undefined && err !== null) {
        ok = false;
        this.failed(err);
      }
    });
    return ok;
  }

  private failed(err: Error & { code?: unknown }): void {
    const code = errnoName(err.code) ?? err.message;
    if (this.warned.has(code)) return;
    this.warned.add(code);
    this.log.warn(`sd_notify: sending to ${this.path ?? 'NOTIFY_SOCKET'} failed: ${code}`);
  }
}

function loadUnixDgram(): UnixDgram | string {
  try {
    return createRequire(import.meta.url)('unix-dgram') as UnixDgram;
  } catch (e) {
    return (e as Error).message.split('\n')[0] ?? 'unknown error';
  }
}

/** unix-dgram reports failures as negative errno numbers. */
function errnoName(code: unknown): string | null {
  if (typeof code !== 'number') return null;
  for (const [name, value] of Object.entries(constants.errno)) if (value === -code) return name;
  return `errno ${-code}`;
}

/** A newline would start a new assignment. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
