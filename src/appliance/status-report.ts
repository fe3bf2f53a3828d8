/**
 * The `status` answer of the control socket, as data: the running parts' own status objects, with the store's
 * holdings per producer and message ages added. Numbers stay numbers and every key is snake_case; the CLI words
 * it (src/cli/status-view.ts), and `status --json` prints it as it is.
 */
import { packageVersion } from '../config/index.js';
import type { Problem } from '../events/index.js';
import type { ProducerStatus } from '../ingest/index.js';
import type { TradingStatus } from '../strategy/index.js';

/** `status`: one producer. */
export interface ProducerReport extends ProducerStatus {
  /** Pairs on the producer's current whitelist. */
  readonly pairs: number;
  /** Keys (pair, timeframe, candle type) held for this producer, and their rows in total. */
  readonly keys: number;
  readonly rows: number;
  /** Seconds since the producer's last message, null when none came yet. */
  readonly last_message_age_s: number | null;
}

export interface StatusReport {
  /** The running daemon's version (may differ from the CLI's after an upgrade without restart). */
  readonly version: string;
  readonly pid: number;
  readonly uptime_s: number;
  readonly rss_bytes: number;
  readonly producers: readonly ProducerReport[];
  readonly trading: TradingStatus;
  /** Current problems, most urgent first. */
  readonly problems: readonly Problem[];
}

/** What the store tells about its holdings (FrameStore fits). */
export interface Holdings {
  producerPairs(producer: string): readonly string[];
  keys(): Iterable<{ readonly producer: string; readonly rows: number }>;
}

export interface StatusParts {
  readonly producers: readonly ProducerStatus[];
  readonly store: Holdings;
  readonly trading: TradingStatus;
  readonly problems: readonly Problem[];
  /** Epoch ms the daemon started. */
  readonly startedAt: number;
}

export function statusReport(parts: StatusParts, now: number = Date.now()): StatusReport {
  const held = new Map<string, { keys: number; rows: number }>();
  for (const k of parts.store.keys()) {
    const h = held.get(k.producer) ?? { keys: 0, rows: 0 };
    h.keys += 1;
    h.rows += k.rows;
    held.set(k.producer, h);
  }
  return {
    version: packageVersion(),
    pid: process.pid,
    uptime_s: Math.max(0, Math.round((now - parts.startedAt) / 1000)),
    rss_bytes: process.memoryUsage.rss(),
    producers: parts.producers.map((p): ProducerReport => ({
      ...p,
      pairs: parts.store.producerPairs(p.name).length,
      keys: held.get(p.name)?.keys ?? 0,
      rows: held.get(p.name)?.rows ?? 0,
      last_message_age_s: p.last_message_at === null ? null : Math.max(0, Math.round((now - p.last_message_at) / 1000)),
    })),
    trading: parts.trading,
    problems: parts.problems,
  };
}
