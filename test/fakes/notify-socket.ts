/**
 * Stands in for systemd's notify socket: a real unix datagram socket bound to a path in a temp dir, collecting
 * every datagram sent to it (what `$NOTIFY_SOCKET` receives under systemd).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface ServerSocket {
  bind(path: string): void;
  close(): void;
  on(event: 'error', listener: (e: Error) => void): void;
}
interface UnixDgram {
  createSocket(type: 'unix_dgram', listener: (buf: Buffer) => void): ServerSocket;
}

export class FakeNotifySocket {
  /** Every datagram received, in order, as text. */
  readonly messages: string[] = [];
  readonly path: string;
  private readonly dir: string;
  private readonly socket: ServerSocket;
  private waiters: (() => void)[] = [];

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'ft-edge-notify-'));
    this.path = join(this.dir, 'notify');
    const dgram = createRequire(import.meta.url)('unix-dgram') as UnixDgram;
    this.socket = dgram.createSocket('unix_dgram', (buf) => {
      this.messages.push(buf.toString('utf8'));
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    });
    this.socket.on('error', (e) => {
      throw e;
    });
    this.socket.bind(this.path);
  }

  /** Resolves once some received message satisfies `pred`; rejects after `timeoutMs`. */
  async waitFor(pred: (messages: readonly string[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.messages)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`notify socket: condition not met; received ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
