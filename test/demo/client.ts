/** A plain `ws` consumer for the demo producer's tests: collects messages and waits for them without sleeps. */
import { WebSocket } from 'ws';

export interface Message {
  type: string;
  data: unknown;
  text: string;
}

export interface AnalyzedDf {
  key: [string, string, string];
  la: string;
  frame: { columns: string[]; index: number[]; data: unknown[][] };
}

/** Decodes an analyzed_df message the way a consumer does (outer JSON, then the frame text). */
export function analyzedDf(m: Message): AnalyzedDf {
  const d = m.data as { key: [string, string, string]; la: string; df: { __type__: string; __value__: string } };
  return { key: d.key, la: d.la, frame: JSON.parse(d.df.__value__) as AnalyzedDf['frame'] };
}

export class TestClient {
  readonly messages: Message[] = [];
  closeCode: number | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {}

  static async connect(url: string, opts: { deflate?: boolean } = {}): Promise<TestClient> {
    const ws = new WebSocket(url, { perMessageDeflate: opts.deflate ?? false });
    const client = new TestClient(ws);
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      let parsed: { type?: unknown; data?: unknown } = {};
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        // garbage stays as text
      }
      client.messages.push({ type: typeof parsed.type === 'string' ? parsed.type : '', data: parsed.data, text });
      client.wake();
    });
    ws.on('close', (code) => {
      client.closeCode = code;
      client.wake();
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** The HTTP status of a refused handshake, or 101 when it opened. */
  static async handshakeStatus(url: string): Promise<number> {
    const ws = new WebSocket(url);
    return new Promise<number>((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('open', () => {
        resolve(101);
        ws.terminate();
      });
      ws.once('error', (err) => reject(err));
    });
  }

  send(obj: unknown): void {
    this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
  }

  /** Sends the three requests freqtrade's consumer sends after connecting. */
  sendInitialRequests(limit = 1500): void {
    this.send({ type: 'subscribe', data: ['whitelist', 'analyzed_df'] });
    this.send({ type: 'whitelist' });
    this.send({ type: 'analyzed_df', data: { limit, pair: null } });
  }

  /** Resolves once `n` messages in total have arrived (rejects when the socket closes first or after `ms`). */
  async waitFor(n: number, ms = 5000): Promise<Message[]> {
    const deadline = Date.now() + ms;
    while (this.messages.length < n) {
      if (this.closeCode !== undefined) throw new Error(`closed (${this.closeCode}) after ${this.messages.length} of ${n} messages`);
      if (Date.now() > deadline) throw new Error(`timed out after ${this.messages.length} of ${n} messages`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.messages.slice(0, n);
  }

  async waitClosed(ms = 5000): Promise<number> {
    const deadline = Date.now() + ms;
    while (this.closeCode === undefined) {
      if (Date.now() > deadline) throw new Error('connection did not close');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.closeCode;
  }

  /** Pings and reports whether a pong came back within `ms`. */
  async pong(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.ws.once('pong', () => {
        clearTimeout(timer);
        resolve(true);
      });
      this.ws.ping();
    });
  }

  close(): void {
    this.ws.terminate();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
