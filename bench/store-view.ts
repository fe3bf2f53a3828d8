/**
 * The store's Arrow views (FrameStore.producerDf) over 100 keys holding the vectors' 1500-row x 28-column
 * frame: time and bytes allocated per view, for a wrapped ring (two batches) and a contiguous one; the memory
 * the per-key view state (schema, Struct type, tag dictionary vectors) keeps for 100 keys; and what keeping
 * the last table per key would keep on top (the cache the store does not have).
 */
import { PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';
import { FrameStore } from '../src/store/index.js';
import { parseEnvelope } from '../src/wire/envelope.js';
import { FrameDecoder } from '../src/wire/frame-decoder.js';
import { LAST_DATE, M5, fullFrameMessage, oneRowMessage } from '../test/strategy/vector-messages.js';

const PAIRS = Array.from({ length: 100 }, (_, i) => `P${i}/USDT`);
const gc = globalThis.gc;
if (gc === undefined) throw new Error('run with --expose-gc (npm run bench does)');

const store = new FrameStore({ capacity: 1500 });
const decoder = new FrameDecoder();
function ingest(msg: Buffer): void {
  const env = parseEnvelope(msg);
  if (env.kind !== 'analyzed_df') throw new Error(`not an analyzed_df: ${env.kind}`);
  const r = decoder.decode(msg, env.frameStart, env.frameEnd, { hint: store.kinds('default', env.key), removeSignals: false });
  if (!r.ok) throw new Error(r.reason);
  store.ingest('default', env.key, env.la, decoder.frame);
}
const view = (i: number) => store.producerDf(PAIRS[i % PAIRS.length]!, '5m', 'spot')!.table;

async function heapAfterGc(): Promise<number> {
  await new Promise((r) => setImmediate(r));
  gc!();
  return process.memoryUsage().heapUsed;
}

/** Median over rounds of the mean time per view, us. */
function timePerView(calls: number, rounds = 15): number {
  const means: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let i = 0; i < calls; i++) view(i);
    means.push(((performance.now() - t) * 1000) / calls);
  }
  return means.sort((a, b) => a - b)[rounds >> 1]!;
}

/** Heap bytes allocated per view: the heap's growth over a few views between collections (retried if one ran). */
function bytesPerView(): number {
  let collected = false;
  const obs = new PerformanceObserver(() => (collected = true));
  obs.observe({ entryTypes: ['gc'] });
  const lists: PerformanceEntry[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    gc!();
    lists.push(...obs.takeRecords());
    collected = false;
    const h = process.memoryUsage().heapUsed;
    for (let i = 0; i < 20; i++) view(i);
    const grown = process.memoryUsage().heapUsed - h;
    if (obs.takeRecords().length === 0 && !collected) {
      obs.disconnect();
      return grown / 20;
    }
  }
  obs.disconnect();
  return NaN;
}

for (const p of PAIRS) ingest(fullFrameMessage(p));
const bare = await heapAfterGc();
for (let i = 0; i < PAIRS.length; i++) view(i);
const withViews = await heapAfterGc();
const kept = PAIRS.map((_, i) => view(i));
const withTables = await heapAfterGc();
kept.length = 0;

const contiguous = { us: timePerView(2000), bytes: bytesPerView(), batches: view(0).batches.length };
for (let j = 1; j <= 3; j++) for (const p of PAIRS) ingest(oneRowMessage(p, LAST_DATE + j * M5));
const wrapped = { us: timePerView(2000), bytes: bytesPerView(), batches: view(0).batches.length };

const kb = (x: number): string => `${(x / 1024).toFixed(1)} KB`;
console.log(`store Arrow views (producerDf), ${PAIRS.length} keys x 1500 rows x ${view(0).numCols} columns`);
for (const [label, m] of [['contiguous ring', contiguous], ['wrapped ring', wrapped]] as const) {
  console.log(`  ${label} (${m.batches} batch${m.batches > 1 ? 'es' : ''}): ${m.us.toFixed(1)} us per view, ${kb(m.bytes)} allocated per view`);
}
console.log(`  per-key view state kept for ${PAIRS.length} keys (schema, Struct type, tag dictionaries): ${kb(withViews - bare)}`);
console.log(`  a table cached per key would keep ${kb(withTables - withViews)} more for ${PAIRS.length} keys (not done: a view is built per read)`);
