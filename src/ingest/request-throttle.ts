/**
 * Re-request bookkeeping for one key. freqtrade's consumer asks again on every message that shows a hole,
 * which floods the producer when the hole does not close (a short history, a timeframe mismatch). Here a key
 * has at most one request in flight, and a key whose requests for the same hole keep repeating unanswered waits
 * longer each time. A stored reply ends the backoff: the next gap of the key is asked for at once, as freqtrade
 * asks it, so a key whose gaps are each answered never falls behind the producer.
 */

/** Wait after a request before the key may ask again, doubled per unanswered repeat... */
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

  /** A frame for the key was stored: whatever was missing is there now. */
  answered(): void {
    if (!this.outstanding && this.repeats === 0) return;
    this.outstanding = false;
    this.repeats = 0;
    this.lastAt = this.notBefore = -Infinity;
  }

  /** The connection the request went out on is gone: it will never be answered, a new one may go at once. */
  connectionReset(): void {
    this.outstanding = false;
    this.notBefore = -Infinity;
  }
}
