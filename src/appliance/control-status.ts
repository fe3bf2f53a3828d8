/**
 * Builds the `status` answer from the running parts. Typed structurally, so it depends only on what it reads:
 * a producer's name, state and last message time, whatever numeric counters the connection keeps (flattened,
 * so new counters appear in `ft-edge status` without touching the CLI), and the store's pairs and keys.
 */
import { packageVersion } from '../config/locations.js';
import type { ProducerReport, StatusReport } from './control-protocol.js';

/** What a producer connection reports (the Consumer's ProducerStatus fits). */
export interface ProducerStatusLike {
  readonly name: string;
  readonly state: string;
  /** Epoch ms of the last message, or null/undefined/0 when none came yet. */
  readonly lastMessageAt?: number | Date | null | undefined;
  readonly address?: string | undefined;
  readonly lastError?: string | null | undefined;
}

/** What the store reports (FrameStore fits). */
export interface StoreStatusLike {
  producerPairs(producer: string): readonly string[];
  keys(): Iterable<{ readonly producer: string; readonly rows: number }>;
}

/** Numeric fields of a producer status that are not counters; so is every time stamp (`...At`). */
const NOT_COUNTERS = new Set(['name', 'state']);

export function statusReport(
  producers: readonly ProducerStatusLike[],
  store: StoreStatusLike,
  startedAt: number,
  sections: StatusReport['sections'] = {},
  now: number = Date.now(),
): StatusReport {
  const held = new Map<string, { keys: number; rows: number }>();
  for (const k of store.keys()) {
    const h = held.get(k.producer) ?? { keys: 0, rows: 0 };
    h.keys += 1;
    h.rows += k.rows;
    held.set(k.producer, h);
  }
  return {
    version: packageVersion(),
    pid: process.pid,
    uptime_s: Math.max(0, Math.round((now - startedAt) / 1000)),
    rss_bytes: process.memoryUsage.rss(),
    producers: producers.map((p): ProducerReport => {
      const at = p.lastMessageAt instanceof Date ? p.lastMessageAt.getTime() : p.lastMessageAt;
      return {
        name: p.name,
        state: p.state,
        address: p.address ?? null,
        last_error: p.lastError ?? null,
        pairs: store.producerPairs(p.name).length,
        keys: held.get(p.name)?.keys ?? 0,
        rows: held.get(p.name)?.rows ?? 0,
        last_message_age_s: typeof at === 'number' && at > 0 ? Math.max(0, Math.round((now - at) / 1000)) : null,
        counters: counters(p),
      };
    }),
    sections,
  };
}

/** {connects: 2, messages: {analyzed_df: 9}} -> {"connects": 2, "messages.analyzed_df": 9}; a `counters` wrapper is looked through. */
function counters(status: object): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (obj: object, prefix: string, depth: number): void => {
    for (const [k, v] of Object.entries(obj)) {
      if ((prefix === '' && NOT_COUNTERS.has(k)) || k.endsWith('At')) continue;
      const name = prefix === '' && k === 'counters' ? '' : `${prefix}${k}`;
      if (typeof v === 'number' && Number.isFinite(v)) out[name] = v;
      else if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && depth < 3) {
        walk(v as object, name === '' ? '' : `${name}.`, depth + 1);
      }
    }
  };
  walk(status, '', 0);
  return out;
}
