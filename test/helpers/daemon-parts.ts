/** The daemon's ingest side as main.ts composes it (event stream, problem board, store, ingest), for tests. */
import type { Config, ExternalMessageConsumerConfig } from '../../src/config/index.js';
import { ProblemBoard, createDaemonBus, type DaemonBus } from '../../src/events/index.js';
import { IngestService } from '../../src/ingest/index.js';
import type { Logger } from '../../src/log.js';
import { FrameStore } from '../../src/store/index.js';

export interface DaemonParts {
  readonly bus: DaemonBus;
  readonly problems: ProblemBoard;
  readonly store: FrameStore;
  readonly ingest: IngestService;
  /** Lines of failing event listeners (a test that sees one has a bug). */
  readonly listenerErrors: string[];
}

export function daemonParts(opts: {
  readonly consumer: ExternalMessageConsumerConfig;
  readonly log: Logger;
  readonly wire?: Config['wire'];
  readonly columns?: Config['store']['columns'];
  readonly capacity?: number;
  readonly clock?: () => number;
}): DaemonParts {
  const listenerErrors: string[] = [];
  const bus = createDaemonBus((l) => listenerErrors.push(l));
  const problems = new ProblemBoard(bus);
  const store = new FrameStore({ capacity: opts.capacity ?? 1500 });
  const ingest = new IngestService({
    consumer: opts.consumer,
    wire: opts.wire ?? { compression: false, max_backoff: 5 },
    columns: opts.columns ?? {},
    store,
    bus,
    problems,
    log: opts.log,
    ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
  });
  return { bus, problems, store, ingest, listenerErrors };
}
