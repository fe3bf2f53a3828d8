/**
 * What happens in the daemon, as one typed event stream: each event's name and the arguments its listeners get.
 * Built once in the composition root (main.ts); ingest, trading and the appliance emit, and everything that must
 * follow (strategy, LEDs, STATUS line, the REST API) subscribes.
 */
import type { ClosedTrade, OpenTrade } from '../journal/index.js';
import type { PairKey } from '../protocol/index.js';
import type { ConnectionError, ConnectionState } from '../wire/index.js';
import { EventBus } from './event-bus.js';
import type { Problem } from './problem.js';

export interface DaemonEvents {
  [event: string]: readonly unknown[];
  /** A producer's analyzed frame was stored for `key` (replacing what was held, or appended to it). */
  'frame-stored': readonly [producer: string, key: PairKey, how: 'replaced' | 'appended'];
  /** A producer sent its whitelist. */
  whitelist: readonly [producer: string, pairs: readonly string[]];
  /** A producer connection changed state; `error` says why it left 'connected' or why an attempt failed. */
  connection: readonly [producer: string, state: ConnectionState, error: ConnectionError | null];
  /** A trade changed, after the journal committed it. */
  trade: TradeChange;
  /** A problem was raised (or reworded) or cleared on the ProblemBoard. */
  problem: readonly [change: 'raised' | 'cleared', problem: Problem];
}

/**
 * What happened to a trade. 'opened': decided and journaled (dry-run: filled at once, and 'entry-filled'
 * follows; live: its entry order placed). Live orders also tell 'entry-filled' (the first fill),
 * 'entry-cancelled' (ended without a fill: no trade) and 'exit-cancelled' (the trade stays open).
 */
export type TradeChange =
  | readonly [change: 'opened' | 'entry-filled', trade: OpenTrade]
  | readonly [change: 'entry-cancelled' | 'exit-cancelled', trade: OpenTrade, reason: string]
  | readonly [change: 'closed', trade: ClosedTrade];

/** The daemon's event stream. */
export type DaemonBus = EventBus<DaemonEvents>;

/** A daemon event stream whose failing listeners are reported through `report`. */
export function createDaemonBus(report: (line: string) => void): DaemonBus {
  return new EventBus<DaemonEvents>((event, err) =>
    report(`a listener of "${event}" events failed: ${err instanceof Error ? err.message : String(err)}`));
}
