/**
 * Re-request bookkeeping for one key. freqtrade's consumer asks again on every message that shows a hole,
 * which floods the producer when the hole does not close (a short history, a timeframe mismatch). Here a
 * key has at most one request in flight, and a key whose requests keep repeating waits longer each time.
 */

/** Wait after a request before the key may ask again, doubled per repeat... */
export const REQUEST_BACKOFF_MS = 2_000;
/** ...up to this. */
export const REQUEST_BACKOFF_MAX_MS = 120_000;
/** A request this long after the previous one starts the backoff over. */
const QUIET_RESET_MS = 2 * REQUEST_BACKOFF_MAX_MS;

export class RequestThrottle {
  /** A request we sent for this key has not been answered by a stored frame yet. */
  outstanding = false;
  private repeats = 0;
  private lastAt = -Infinity;
  private notBefore = -Infinity;

  /** Whether a request may go out at `now`; when it may, it is recorded as sent and outstanding. */
  tryRequest(now: number): boolean {
    if (now < this.notBefore) return false;
    this.repeats = now - this.lastAt >= QUIET_RESET_MS ? 0 : this.repeats + 1;
    this.lastAt = now;
    this.notBefore = now + Math.min(REQUEST_BACKOFF_MS * 2 ** this.repeats, REQUEST_BACKOFF_MAX_MS);
    this.outstanding = true;
    return true;
  }

  /** A frame for the key was stored. */
  answered(): void {
    this.outstanding = false;
  }

  /** The connection the request went out on is gone: it will never be answered, a new one may go at once. */
  connectionReset(): void {
    this.outstanding = false;
    this.notBefore = -Infinity;
  }
}
