/** The problems the daemon can have, by stable code. */

/** Most urgent first: the order the STATUS line picks the one it shows. */
export const PROBLEM_CODES = [
  /** The watchdog withholds its pings (event loop stalled, ingest not moving). */
  'unhealthy',
  /** The strategy or the journal could not start: no trading, frames are still taken in. */
  'trading-off',
  /** The strategy was disabled altogether after errors. */
  'strategy-disabled',
  /** The trade journal cannot be written (disk full, I/O errors): no entries; exits are retried. */
  'journal-write',
  /** The exchange refuses the API key: live trading stopped (entries and exits); data and watchdog go on. */
  'exchange-auth',
  /** The REST API could not listen: FreqUI cannot reach this bot; trading goes on. */
  'api-off',
  /** A producer refused the token. */
  'token-refused',
  /** Candles were flowing and stopped for longer than the shortest timeframe allows. */
  'stale',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

export interface Problem {
  readonly code: ProblemCode;
  /** One line for a person: 'token refused by producer p1'. */
  readonly text: string;
}
