/**
 * Process RSS holding 100 pairs x 1500 rows x 30 columns (24 float64, 4 int8 signals, 2 dict tags), reached
 * the way the daemon reaches it: full-frame messages decoded and stored, then rounds of one-row messages
 * appended, in a process that loads only the store and the decoder (bench/daemon-rss.ts measures the whole
 * daemon). Each launch (environment + node options) runs in its own child process; RSS is reported beside the
 * raw column bytes and the target 45 MB + 1.15 x raw, and for the bin's own launch (its #! line) split into
 * a fixed part and a part per raw byte (from runs at two sizes).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FrameStore } from '../src/store/index.js';
import type { ColumnKind } from '../src/protocol/index.js';
import { binLaunch } from './_bin-launch.js';
import { ingestInto } from './_ingest.js';

const PAIRS = Number(process.env['FT_EDGE_BENCH_PAIRS'] ?? 100);
const ROWS = 1500;
const FLOATS = 24;
const SIGNALS = ['enter_long', 'exit_long', 'enter_short', 'exit_short'];
const TAGS = ['enter_tag', 'exit_tag'];
const APPEND_ROUNDS = 50;
const M5 = 300_000;
const T0 = Date.UTC(2024, 9, 1);
const MB = 1024 * 1024;
const VALUE_BYTES: Readonly<Record<ColumnKind, number>> = { float64: 8, int8: 1, bool: 1 / 8, dict: 4 };

interface Launch {
  readonly env: Readonly<Record<string, string>>;
  readonly nodeOptions: readonly string[];
}
const BIN: Launch = binLaunch();
const LAUNCHES: Launch[] = [
  { env: {}, nodeOptions: [] },
  { env: {}, nodeOptions: ['--max-semi-space-size=1'] },
  BIN,
  { env: BIN.env, nodeOptions: [...BIN.nodeOptions, '--single-threaded'] },
];
const launchName = (l: Launch): string =>
  [...Object.entries(l.env).map(([k, v]) => `${k}=${v}`), ...l.nodeOptions].join(' ') || 'plain node';

interface Measured {
  /** A node process with these flags that loaded nothing. */
  bare: number;
  /** This child with its modules loaded, nothing held. */
  baseline: number;
  atRest: number;
  afterGc: number;
  heapUsed: number;
  arrayBuffers: number;
  raw: number;
  keys: number;
}

if (process.argv[2] === 'child') await child();
else parent();

function parent(): void {
  const mb = (x: number): string => `${(x / MB).toFixed(1)} MB`;
  console.log(`RSS holding ${PAIRS} pairs x ${ROWS} rows x ${FLOATS + SIGNALS.length + TAGS.length} columns (+ date), after ${APPEND_ROUNDS} rounds of one-row appends; target 45 MB + 1.15 x raw column bytes`);
  for (const launch of LAUNCHES) {
    const m = run(launch, PAIRS);
    if (m === undefined) continue;
    const target = 45 * MB + 1.15 * m.raw;
    const name = `${launchName(launch)}${launch === BIN ? ' (the bin\'s #! line)' : ''}`;
    console.log(`  ${name}: RSS ${mb(m.atRest)} (after gc() ${mb(m.afterGc)}) for raw ${mb(m.raw)}: ${m.atRest <= target ? 'within' : 'over'} target ${mb(target)}`);
    console.log(`    bare node ${mb(m.bare)}, modules loaded ${mb(m.baseline)}, JS heap ${mb(m.heapUsed)}, ArrayBuffers ${mb(m.arrayBuffers)}`);
  }
  // Fixed cost and cost per raw byte, from two sizes: the target's two terms, measured separately.
  const small = run(BIN, 10);
  const large = run(BIN, PAIRS);
  if (small === undefined || large === undefined) return;
  const perByte = (large.atRest - small.atRest) / (large.raw - small.raw);
  console.log(`  the bin's #! line, 10 vs ${PAIRS} pairs: RSS = ${mb(small.atRest - perByte * small.raw)} + ${perByte.toFixed(2)} x raw (target 45 MB + 1.15 x raw)`);
}

/** One child process holding `pairs` keys under `launch`; undefined (and a failed exit code) if it failed. */
function run(launch: Launch, pairs: number): Measured | undefined {
  const env = { ...process.env, ...launch.env, FT_EDGE_BENCH_PAIRS: String(pairs) };
  const r = spawnSync(process.execPath, [...launch.nodeOptions, '--expose-gc', fileURLToPath(import.meta.url), 'child'], { encoding: 'utf8', env });
  if (r.status !== 0) {
    console.log(`  ${launchName(launch)}: child failed: ${r.stderr.trim().split('\n').at(-1)}`);
    process.exitCode = 1;
    return undefined;
  }
  const bare = spawnSync(process.execPath, [...launch.nodeOptions, '--expose-gc', '-e', 'gc(); setTimeout(() => console.log(process.memoryUsage().rss), 200)'], { encoding: 'utf8', env });
  return { ...(JSON.parse(r.stdout) as Omit<Measured, 'bare'>), bare: Number(bare.stdout) };
}

async function child(): Promise<void> {
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 200));
  globalThis.gc!();
  await settle();
  const baseline = process.memoryUsage().rss;

  const store = new FrameStore({ capacity: ROWS });
  const ingest = ingestInto(store);
  const columns = ['date', ...Array.from({ length: FLOATS }, (_, i) => ['open', 'high', 'low', 'close', 'volume'][i] ?? `ind_${i}`), ...SIGNALS, ...TAGS];
  // One message per shape, its pair patched in place per pair: the bench makes no garbage of its own.
  const forEachPair = (msg: Buffer): void => {
    const at = msg.indexOf('PAIR000/') + 4;
    for (let p = 0; p < PAIRS; p++) {
      msg.write(String(p).padStart(3, '0'), at, 'latin1');
      ingest(msg);
    }
  };
  forEachPair(message('PAIR000/USDT', columns, Array.from({ length: ROWS }, (_, i) => row(i)), 0));
  for (let r = 0; r < APPEND_ROUNDS; r++) forEachPair(message('PAIR000/USDT', columns, [row(ROWS + r)], ROWS + r));
  let raw = 0;
  let keys = 0;
  for (const held of store.keys()) {
    const table = store.producerDf(held.key.pair, held.key.timeframe, held.key.candleType, held.producer)!.table;
    if (table.numRows !== ROWS) throw new Error(`${held.key.pair} holds ${table.numRows} rows`);
    keys++;
    // What the columns need at their types: values (date int64, float64, int8, bool bits, int32 codes) + validity bits.
    raw += ROWS * 8;
    for (const kind of store.kinds(held.producer, held.key)!.values()) raw += ROWS * VALUE_BYTES[kind] + ROWS / 8;
  }
  await settle();
  const atRest = process.memoryUsage().rss;
  globalThis.gc!();
  await settle();
  const m = process.memoryUsage();
  const out: Omit<Measured, 'bare'> = { baseline, atRest, afterGc: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, raw, keys };
  console.log(JSON.stringify(out));
}

/** Candle i: 24 floats (null warm-up in the indicators), 0/1 signals, occasional tags. */
function row(i: number): unknown[] {
  const price = 30_000 + 500 * Math.sin(i / 40) + ((i * 7919) % 113);
  const floats = Array.from({ length: FLOATS }, (_, c) => (c >= 5 && i < 50 ? null : Math.round((price * (1 + c / 100) + c) * 1e8) / 1e8));
  const signals = SIGNALS.map((_, s) => ((i + s) % 17 === 0 ? 1 : 0));
  const tags = [i % 17 === 0 ? 'rsi_cross' : null, (i + 1) % 17 === 0 ? 'roi' : null];
  return [T0 + i * M5, ...floats, ...signals, ...tags];
}

/** An analyzed_df message as a freqtrade producer sends it (frame text escaped inside the outer JSON). */
function message(pair: string, columns: string[], data: unknown[][], first: number): Buffer {
  const inner = JSON.stringify({ columns, index: data.map((_, i) => first + i), data });
  const la = new Date(T0 + (first + data.length) * M5).toISOString().replace('.000Z', '+00:00');
  return Buffer.from(`{"type":"analyzed_df","data":{"key":${JSON.stringify([pair, '5m', 'spot'])},"df":{"__type__":"dataframe","__value__":${JSON.stringify(inner)}},"la":"${la}"}}`);
}
