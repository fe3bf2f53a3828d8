/** Where a frame enters: the producer connections, decoding, storing, re-requests and their counters. */
export { IngestService, type IngestOptions } from './ingest-service.js';
export type { DecodeTimes, DropReason, IngestCounters, ProducerStatus } from './producer-ingest.js';
export { REQUEST_BACKOFF_MAX_MS, REQUEST_BACKOFF_MS } from './request-throttle.js';
