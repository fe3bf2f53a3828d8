/**
 * Logging for journald: one line per event on stderr, prefixed with the syslog priority (`<3>` error ...
 * `<7>` debug) so `journalctl -p warning` filters it. When stderr is a terminal the prefix is replaced by a
 * readable level name. No timestamps: journald adds its own.
 */
export type Level = 'error' | 'warn' | 'info' | 'debug';

const PRIORITY: Readonly<Record<Level, number>> = { error: 3, warn: 4, info: 6, debug: 7 };

export interface Logger {
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
  /** A logger whose lines start with `[scope]`. */
  child(scope: string): Logger;
}

export type LogSink = (line: string) => void;

const stderrSink: LogSink = (line) => {
  process.stderr.write(line + '\n');
};

/** Sees every line a logger writes, as its parts (RecentLogs: the REST API's /logs). */
export type LogObserver = (level: Level, scope: string, msg: string) => void;

/**
 * A logger that drops lines below `level`; disabled levels are no-ops, so they cost nothing. `observe` also
 * gets each line written.
 */
export function createLogger(level: Level = 'info', sink: LogSink = stderrSink, scope = '', observe?: LogObserver): Logger {
  const tty = sink === stderrSink && process.stderr.isTTY === true;
  const max = PRIORITY[level];
  const prefix = scope === '' ? '' : `[${scope}] `;
  const noop = (): void => {};
  const emit = (l: Level) =>
    PRIORITY[l] > max
      ? noop
      : (msg: string): void => {
        const text = oneLine(msg);
        sink(`${tty ? l.toUpperCase().padEnd(5) + ' ' : `<${PRIORITY[l]}>`}${prefix}${text}`);
        observe?.(l, scope, text);
      };
  return {
    error: emit('error'),
    warn: emit('warn'),
    info: emit('info'),
    debug: emit('debug'),
    child: (s) => createLogger(level, sink, scope === '' ? s : `${scope}/${s}`, observe),
  };
}

/** journald splits on newlines; a multi-line message would lose its priority on every line but the first. */
function oneLine(msg: string): string {
  return msg.includes('\n') ? msg.replace(/\s*\n\s*/g, ' | ') : msg;
}

/** One line RecentLogs kept. */
export interface RecentLine {
  readonly at: number;
  readonly level: Level;
  readonly scope: string;
  readonly msg: string;
}

/** The last `capacity` lines logged (freqtrade keeps 1000 for its /logs), oldest first; a ring, so memory is bounded. */
export class RecentLogs {
  private readonly lines: (RecentLine | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity = 1000, private readonly now: () => number = Date.now) {
    this.lines = new Array<RecentLine | undefined>(capacity);
  }

  readonly observe: LogObserver = (level, scope, msg) => {
    this.lines[this.next] = { at: this.now(), level, scope, msg };
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  };

  /** The last `limit` lines (all kept when undefined), oldest first. */
  last(limit?: number): RecentLine[] {
    const n = Math.min(this.count, limit ?? this.count);
    const out: RecentLine[] = [];
    for (let i = n; i > 0; i--) out.push(this.lines[(this.next - i + this.capacity) % this.capacity]!);
    return out;
  }
}
