/** The columnar frame store: what the consumer ingests into and strategies read from. */
export { FrameStore, FULL, FULL_REQUEST } from './frame-store.js';
export { copyExport } from './export.js';
export type { HeldKey, IngestOutcome, StoreOptions, UpdateListener } from './frame-store.js';
export type { Manifest, ManifestFrame } from './export.js';
export { REQUEST_BACKOFF_MS, REQUEST_BACKOFF_MAX_MS } from './request-throttle.js';
