/**
 * Is the ingest pipeline still moving? A health check for the watchdog that tells a producer that is down
 * (normal: the consumer keeps retrying on its timers) from a consumer that stopped working on it (a lost timer,
 * a promise that never settles: the event loop is fine, yet nothing will ever happen again).
 *
 * Every producer must show progress within a bound that its own state implies: while connecting or waiting to
 * retry, its status (attempt counters, state, last error) must change within the connect timeout or the longest
 * backoff; while connected, a frame (message or pong) must arrive within wait_timeout + ping_timeout, because by
 * then the consumer either got one or dropped the link. Bounds carry a minute of slack: a false alarm restarts
 * a working daemon, which is worse than noticing a stall a minute late.
 */
import type { Config, ExternalMessageConsumerConfig } from '../config/index.js';
import type { HealthCheck } from './watchdog.js';

/** What the check reads of one producer; the consumer's ProducerStatus has it. */
export interface ProducerProgress {
  readonly name: string;
  readonly state: 'connecting' | 'connected' | 'backoff' | 'refused' | 'stopped';
  /**
   * Epoch ms of the last frame of any kind from the producer, pongs included. Without it (undefined) a
   * connected producer is not checked: a quiet producer may send no message for a whole candle.
   */
  readonly last_frame_at?: number | null;
}

export interface LivenessBounds {
  /** Longest time one state of a connecting or retrying producer may last without any change of its status. */
  readonly retryingMs: number;
  /** Longest silence of a connected producer. */
  readonly connectedMs: number;
}

const SLACK_MS = 60_000;

/** Bounds implied by the consumer's settings. */
export function livenessBounds(consumer: ExternalMessageConsumerConfig, wire: Config['wire']): LivenessBounds {
  const s = (x: number): number => x * 1000;
  const longestWait = Math.max(s(wire.max_backoff), s(consumer.sleep_time), s(consumer.wait_timeout));
  return {
    retryingMs: longestWait + SLACK_MS,
    connectedMs: s(consumer.wait_timeout + consumer.ping_timeout) + SLACK_MS,
  };
}

export class IngestLiveness implements HealthCheck {
  /** Per producer: its last seen status text and since when it has not changed. */
  private readonly seen = new Map<string, { snapshot: string; since: number }>();

  constructor(
    private readonly producers: () => readonly ProducerProgress[],
    private readonly bounds: LivenessBounds,
  ) {}

  problem(now: number): string | null {
    for (const p of this.producers()) {
      // The whole status as text: any counter, state or error change is progress, whatever the consumer counts.
      const snapshot = JSON.stringify(p);
      const last = this.seen.get(p.name);
      if (last === undefined || last.snapshot !== snapshot) {
        this.seen.set(p.name, { snapshot, since: now });
        continue;
      }
      const still = now - last.since;
      switch (p.state) {
        case 'connecting':
        case 'backoff':
        case 'refused':
          if (still > this.bounds.retryingMs) return `producer ${p.name}: ${p.state} for ${secs(still)} without progress; its connection loop has stalled`;
          break;
        case 'connected': {
          const at = p.last_frame_at;
          if (typeof at === 'number' && now - at > this.bounds.connectedMs) {
            return `producer ${p.name}: connected but silent for ${secs(now - at)}; its ping supervision has stalled`;
          }
          break;
        }
        case 'stopped':
          break; // not retried on purpose (invalid address) or shutting down
      }
    }
    return null;
  }
}

function secs(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
