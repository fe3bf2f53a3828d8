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

/** A logger that drops lines below `level`; disabled levels are no-ops, so they cost nothing. */
export function createLogger(level: Level = 'info', sink: LogSink = stderrSink, scope = ''): Logger {
  const tty = sink === stderrSink && process.stderr.isTTY === true;
  const max = PRIORITY[level];
  const prefix = scope === '' ? '' : `[${scope}] `;
  const noop = (): void => {};
  const emit = (l: Level) =>
    PRIORITY[l] > max
      ? noop
      : (msg: string): void => sink(`${tty ? l.toUpperCase().padEnd(5) + ' ' : `<${PRIORITY[l]}>`}${prefix}${oneLine(msg)}`);
  return {
    error: emit('error'),
    warn: emit('warn'),
    info: emit('info'),
    debug: emit('debug'),
    child: (s) => createLogger(level, sink, scope === '' ? s : `${scope}/${s}`),
  };
}

/** journald splits on newlines; a multi-line message would lose its priority on every line but the first. */
function oneLine(msg: string): string {
  return msg.includes('\n') ? msg.replace(/\s*\n\s*/g, ' | ') : msg;
}
