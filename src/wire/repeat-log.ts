/**
 * Logs a recurring problem at growing intervals: the 1st, 2nd, 4th, 8th ... occurrence in a row, and at once
 * when the problem changes or comes back after a quiet period. The occurrences in between go to debug. A
 * producer that is down for a day, or that sends the same garbage every second, then writes a dozen lines
 * instead of thousands.
 */
import type { Logger } from '../log.js';

export class RepeatLog {
  private count = 0;
  private key = '';
  private lastAt = 0;

  constructor(
    private readonly log: Logger,
    private readonly level: 'error' | 'warn',
    /** Quiet time after which the problem counts as a new one (needs `now`). */
    private readonly quietMs = Infinity,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs `line`; `key` identifies the problem (no counters or row numbers in it). True when it was shown. */
  report(key: string, line: string): boolean {
    const at = this.quietMs === Infinity ? 0 : this.now();
    const again = key === this.key && at - this.lastAt < this.quietMs;
    const n = again ? ++this.count : (this.count = 1);
    this.key = key;
    this.lastAt = at;
    if ((n & (n - 1)) === 0) {
      this.log[this.level](n > 1 ? `${line} (seen ${n} times)` : line);
      return true;
    }
    this.log.debug(line);
    return false;
  }

  /** The problem is over: its next occurrence is a first one again. */
  reset(): void {
    this.count = 0;
    this.key = '';
  }
}
