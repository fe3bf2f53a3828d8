/**
 * When to connect again, as freqtrade's consumer does it and no slower (PROTOCOL.md "Reconnect timing"):
 * - a connection that was open and closed is re-opened at once, at most once per `sleep_time` (a producer that
 *   drops every connection at once is not hammered);
 * - after a failed attempt the wait is `sleep_time`, as long as the producer was up less than
 *   RETURN_WINDOW_MS ago: a restarting producer is reconnected to within `sleep_time` of it listening again;
 * - a producer that refuses the token, or that has stayed away longer than that window (or was never up), waits
 *   `sleep_time` doubled per failed attempt, up to `max_backoff`.
 */

/** How long a producer that was up counts as coming back (a restart, an upgrade, a reboot of its machine). */
export const RETURN_WINDOW_MS = 15 * 60_000;

export class ConnectSchedule {
  /** When the last connection that opened went away (-Infinity: never up). */
  private upUntil = -Infinity;
  /** Failed attempts since the last connection, outside the return window. */
  private failures = 0;
  private lastImmediate = -Infinity;

  constructor(
    private readonly sleepMs: number,
    private readonly maxBackoffMs: number,
    private readonly now: () => number,
  ) {}

  /** A connection opened. */
  connected(): void {
    this.failures = 0;
  }

  /** An open connection closed: ms to wait before connecting again (0: now). */
  afterDrop(): number {
    const now = this.now();
    this.upUntil = now;
    if (now - this.lastImmediate < this.sleepMs) return this.sleepMs;
    this.lastImmediate = now;
    return 0;
  }

  /** An attempt failed (`refused`: the producer rejected the token): ms to wait before the next. */
  afterFailure(refused: boolean): number {
    if (!refused && this.now() - this.upUntil <= RETURN_WINDOW_MS) return this.sleepMs;
    const n = ++this.failures;
    const cap = Math.max(this.maxBackoffMs, this.sleepMs);
    return Math.min(cap, this.sleepMs * 2 ** Math.min(n - 1, 30));
  }
}
