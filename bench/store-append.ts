/**
 * Store ingest speed on the real vectors (1500 rows x 28 columns): one-row append into a full ring (a new
 * candle, and the re-sent last candle that replaces the held last row) and full-frame replace, each for the
 * store alone and chained after parseEnvelope + FrameDecoder. Also counts the garbage collections the
 * store-only append loop causes (none means it allocates nothing per message).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';
import { FrameStore } from '../src/store/index.js';
import { parseEnvelope } from '../src/wire/envelope.js';
import { FrameDecoder } from '../src/wire/frame-decoder.js';
import type { PairKey } from '../src/protocol/index.js';
import { VECTORS_DIR as VECTORS } from '../test/helpers/vectors.js';

const M5 = 300_000;
const APPENDS = 2_000; // per round: new candles after the full frame
const ROUNDS = 25;

const full = readFileSync(join(VECTORS, 'analyzed_df_full_1500.wire'));
const lastRow = readFileSync(join(VECTORS, 'analyzed_df_incremental_1row.wire')); // the full frame's last candle

const store = new FrameStore({ capacity: 1500 });
const decoder = new FrameDecoder();
let key: PairKey | undefined;
let la = '';

/** parseEnvelope + decode + ingest, as the consumer does. */
function ingestMessage(msg: Buffer): string {
  const env = parseEnvelope(msg);
  if (env.kind !== 'analyzed_df') throw new Error(`not an analyzed_df: ${env.kind}`);
  const r = decoder.decode(msg, env.frameStart, env.frameEnd, { hint: store.kinds('default', env.key), removeSignals: false });
  if (!r.ok) throw new Error(r.reason);
  key = env.key;
  la = env.la;
  return store.ingest('default', env.key, env.la, decoder.frame).action;
}

function expect(action: string, want: string): void {
  if (action !== want) throw new Error(`ingest gave ${action}, expected ${want}`);
}

/** The last-row message moved `k` candles later (its date is the only place those digits occur). */
const lastDate = Number(/\d{13}/.exec(lastRow.toString('latin1').slice(lastRow.indexOf('\\"data\\"')))![0]);
const later = Array.from({ length: APPENDS }, (_, k) => Buffer.from(lastRow.toString('latin1').replace(String(lastDate), String(lastDate + (k + 1) * M5)), 'latin1'));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Median over rounds of the mean time per call, us; `setup` runs untimed before each round. */
function timeRounds(setup: () => void, body: (i: number) => void, calls: number, rounds = ROUNDS): number {
  const means: number[] = [];
  for (let r = 0; r < rounds; r++) {
    setup();
    const t = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) body(i);
    means.push(Number(process.hrtime.bigint() - t) / 1e3 / calls);
  }
  return median(means);
}

// Warm up every path.
for (let r = 0; r < 3; r++) {
  expect(ingestMessage(full), 'replaced');
  for (const m of later) expect(ingestMessage(m), 'appended');
}

const reset = (): void => expect(ingestMessage(full), 'replaced');
const k = key!;

// Chained: decode + store.
const tAppendChained = timeRounds(reset, (i) => expect(ingestMessage(later[i]!), 'appended'), APPENDS);
const tResendChained = timeRounds(reset, () => expect(ingestMessage(lastRow), 'appended'), APPENDS);
const tReplaceChained = timeRounds(() => {}, () => expect(ingestMessage(full), 'replaced'), 20, 15);

// Store alone, on the decoder's reusable frame: after decoding the last row, its date is moved forward in
// place; after decoding the full message, it is the full frame.
const frame = decoder.frame;
const appendOnly = (): void => {
  frame.dates[0]! += M5; // kept in the typed array: a boxed number here would be garbage of the bench's own
  expect(store.ingest('default', k, la, frame).action, 'appended');
};
const tAppendStore = timeRounds(() => {
  reset();
  ingestMessage(lastRow);
}, appendOnly, APPENDS);
const tResendStore = timeRounds(() => {
  reset();
  ingestMessage(lastRow);
}, () => expect(store.ingest('default', k, la, frame).action, 'appended'), APPENDS);
ingestMessage(full);
const columns = frame.columns.length + 1;
const tReplaceStore = timeRounds(() => {}, () => expect(store.ingest('default', k, la, frame).action, 'replaced'), 20, 15);

// Garbage: collections during 100k store-only appends.
reset();
ingestMessage(lastRow);
let gcs = 0;
let loopStart = Infinity;
const countGcs = (entries: PerformanceEntry[]): void => {
  for (const e of entries) if (e.startTime >= loopStart) gcs++;
};
const obs = new PerformanceObserver((list) => countGcs(list.getEntries()));
obs.observe({ entryTypes: ['gc'] });
globalThis.gc?.();
loopStart = performance.now();
for (let i = 0; i < 100_000; i++) appendOnly();
await new Promise((r) => setImmediate(r));
countGcs(obs.takeRecords());
obs.disconnect();

const us = (x: number): string => `${x.toFixed(2).padStart(8)} us`;
console.log(`store ingest, ring capacity 1500, frame 1500 rows x ${columns} columns`);
console.log(`  one-row append, new candle        store ${us(tAppendStore)}   decode+store ${us(tAppendChained)}`);
console.log(`  one-row append, re-sent candle    store ${us(tResendStore)}   decode+store ${us(tResendChained)}`);
console.log(`  full-frame replace (1500 rows)    store ${us(tReplaceStore)}   decode+store ${us(tReplaceChained)}`);
console.log(`  GCs during 100000 store-only appends: ${gcs}`);
