/**
 * Repeats summarised, for journald and the SD card: the first time a line (same level, scope and text) is logged
 * it is written; the same line again within `windowMs` is only counted, and the count is written once, when the
 * window is over: `producer b: cannot connect ... (repeated 360 times in the last hour)`. A producer down for a
 * day then costs 24 lines, not 8,640. Debug lines are never held back: whoever turns debug on wants them all.
 * This is the safety net under every logger; code that knows its problem's history (the connection's RepeatLog)
 * can do better on its own.
 */
import type { Level, Logger } from '../log.js';

export interface LogThrottleOptions {
  /** How long identical lines are counted instead of written. Default one hour. */
  readonly windowMs?: number;
  /** Distinct lines tracked at once; the oldest is summarised and forgotten beyond that. */
  readonly maxLines?: number;
  readonly now?: () => number;
}

interface Seen {
  readonly write: (msg: string) => void;
  readonly msg: string;
  first: number;
  /** Occurrences held back since `first`. */
  held: number;
}

type ThrottledLevel = Exclude<Level, 'debug'>;

export class LogThrottle {
  private readonly seen = new Map<string, Seen>();
  private timer: NodeJS.Timeout | undefined;
  private readonly windowMs: number;
  private readonly maxLines: number;
  private readonly now: () => number;

  constructor(
    private readonly base: Logger,
    opts: LogThrottleOptions = {},
  ) {
    this.windowMs = opts.windowMs ?? 3_600_000;
    this.maxLines = opts.maxLines ?? 256;
    this.now = opts.now ?? Date.now;
  }

  /** The throttled logger (and its children). */
  get logger(): Logger {
    return this.wrap(this.base, '');
  }

  /** Writes the summaries of windows that are over, every tenth of a window. */
  async start(): Promise<void> {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.sweep(false), Math.max(1000, this.windowMs / 10));
    this.timer.unref();
  }

  /** Writes every pending summary. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.sweep(true);
  }

  private wrap(log: Logger, scope: string): Logger {
    const line = (level: ThrottledLevel) => {
      const write = (msg: string): void => log[level](msg);
      return (msg: string): void => this.line(`${level}\0${scope}\0${msg}`, write, msg);
    };
    return {
      error: line('error'),
      warn: line('warn'),
      info: line('info'),
      debug: (msg) => log.debug(msg),
      child: (s) => this.wrap(log.child(s), scope === '' ? s : `${scope}/${s}`),
    };
  }

  private line(key: string, write: (msg: string) => void, msg: string): void {
    const now = this.now();
    const seen = this.seen.get(key);
    if (seen === undefined) {
      if (this.seen.size >= this.maxLines) this.evict(now);
      this.seen.set(key, { write, msg, first: now, held: 0 });
      write(msg);
      return;
    }
    if (now - seen.first < this.windowMs) {
      seen.held++;
      return;
    }
    // A new window begins with this occurrence; the summary stands for it, so one line per window at most.
    if (seen.held > 0) write(summary(msg, seen.held + 1, now - seen.first));
    else write(msg);
    seen.first = now;
    seen.held = 0;
  }

  private sweep(all: boolean): void {
    const now = this.now();
    for (const [key, s] of this.seen) {
      if (!all && now - s.first < this.windowMs) continue;
      if (s.held > 0) s.write(summary(s.msg, s.held, now - s.first));
      this.seen.delete(key);
    }
  }

  private evict(now: number): void {
    this.sweep(false);
    if (this.seen.size < this.maxLines) return;
    const [key, s] = this.seen.entries().next().value as [string, Seen];
    if (s.held > 0) s.write(summary(s.msg, s.held, now - s.first));
    this.seen.delete(key);
  }
}

function summary(msg: string, times: number, spanMs: number): string {
  return `${msg} (repeated ${times} time${times === 1 ? '' : 's'} in the last ${span(spanMs)})`;
}

function span(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min === 60) return 'hour';
  if (min >= 1) return `${min} min`;
  return `${Math.max(1, Math.round(ms / 1000))} s`;
}
