/** The columnar frame store: what ingest stores into and strategies, export and the API read from. */
export { FrameStore, type HeldKey, type IngestOutcome, type StoreOptions } from './frame-store.js';
export { Type, tableToIPC, type Data, type Schema, type Table } from './arrow.js';
