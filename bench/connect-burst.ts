/**
 * The connect burst as a Pi pays it (issue 14): `ft-edge run` started by the bin's #! line against the demo
 * producer serving 100 pairs x 1500 rows x 30 columns (with freqtrade's 10 ms pause after each send), timed from
 * spawn to every frame stored (the control socket's status, polled every 50 ms). Whole-process CPU from
 * /proc/PID/stat (every thread), and per thread from /proc/PID/task (the main thread, V8's workers, libuv's
 * pool), once at READY-equivalent (the control socket answers) and once with every frame stored. Beside it, in the
 * same run: a 1-pair daemon (start-up and one frame: subtracted to give the burst's own cost) and the engine's
 * floor, a bare `node` that only double-JSON.parses (outer message, inner frame) the same 100 messages as the
 * producer sent them. ROUNDS rounds, each figure given as the median and the range; then one more 100-pair run
 * with node's `--trace-gc` for the collections the burst causes (not timed: the trace costs time of its own).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startDemoProducer, type DemoProducer } from '../src/demo/index.js';
import { initialRequests } from '../src/protocol/index.js';
import { shebangArgument } from './_bin-launch.js';
import { procCpuMs, startDaemon, threadCpu } from './_daemon.js';

const PAIRS = 100;
const ROWS = 1500;
const COLUMNS = 30;
const ROUNDS = 3;
const TOKEN = 'bench-connect-burst-token';

const pairs = (n: number): string[] => Array.from({ length: n }, (_, i) => `P${String(i).padStart(3, '0')}/USDT`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fig = (xs: number[], unit = 'ms'): string => `${median(xs).toFixed(0)} ${unit} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;

interface Burst {
  readyMs: number;
  readyCpu: number;
  storedMs: number;
  storedCpu: number;
  threads: Map<string, number>;
  /** node's `--trace-gc` lines, when it ran with that flag. */
  gcTrace: string;
}

async function burst(producer: DemoProducer, n: number, nodeFlags: string[] = []): Promise<Burst> {
  const tmp = mkdtempSync(join(tmpdir(), 'ft-edge-bench-burst-'));
  const t0 = performance.now();
  const daemon = startDaemon(shebangArgument(), tmp, {
    external_message_consumer: { enabled: true, producers: [{ name: 'default', host: '127.0.0.1', port: producer.port, ws_token: TOKEN }] },
    datadir: join(tmp, 'state'),
  }, nodeFlags);
  try {
    await daemon.waitFor(() => true, 'the control socket answering', 60_000);
    const readyMs = performance.now() - t0;
    const readyCpu = procCpuMs(daemon.child.pid!);
    await daemon.waitFor((s) => s.producers[0]?.keys === n && s.producers[0].rows === n * ROWS, 'every frame stored');
    const storedMs = performance.now() - t0;
    return { readyMs, readyCpu, storedMs, storedCpu: procCpuMs(daemon.child.pid!), threads: threadCpu(daemon.child.pid!), gcTrace: daemon.stdout() };
  } finally {
    await daemon.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The producer's answers to freqtrade's initial requests, as text: whitelist, then one analyzed_df per pair. */
async function capture(producer: DemoProducer): Promise<string[]> {
  const ws = new WebSocket(`${producer.url}?token=${TOKEN}`, { maxPayload: 64 << 20, perMessageDeflate: false });
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  const got: string[] = [];
  const done = new Promise<void>((resolve) => ws.on('message', (d: Buffer) => {
    got.push(d.toString('utf8'));
    if (got.length === PAIRS + 1) resolve();
  }));
  for (const r of initialRequests(ROWS)) ws.send(r);
  await done;
  ws.close();
  return got;
}

/** CPU (ms) of a fresh node that reads the messages and double-parses each, and of one that only reads them. */
function floor(file: string): { parse: number; bare: number } {
  const run = (parse: boolean): number => {
    const code = `const t=require('fs').readFileSync(${JSON.stringify(file)},'utf8').split('\\n');const c0=process.cpuUsage();` +
      (parse ? `for(const m of t){const o=JSON.parse(m);const df=o.data&&o.data.df;if(df)JSON.parse(df.__value__);}` : '') +
      `const c=process.cpuUsage(c0);console.log((c.user+c.system)/1000)`;
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
    return Number(r.stdout.trim());
  };
  return { parse: run(true), bare: run(false) };
}

const big = await startDemoProducer({ token: TOKEN, pairs: pairs(PAIRS), history: ROWS, columns: COLUMNS, candleIntervalMs: 0 });
const small = await startDemoProducer({ token: TOKEN, pairs: pairs(1), history: ROWS, columns: COLUMNS, candleIntervalMs: 0 });
const tmp = mkdtempSync(join(tmpdir(), 'ft-edge-bench-burst-msgs-'));
try {
  const messages = await capture(big);
  const file = join(tmp, 'messages.txt');
  writeFileSync(file, messages.join('\n'));
  const bytes = messages.reduce((s, m) => s + Buffer.byteLength(m), 0);
  console.log(`ft-edge run by the bin's #! line against ${PAIRS} pairs x ${ROWS} rows x ${COLUMNS} columns (${(bytes / 1048576).toFixed(1)} MB of messages, the producer pausing 10 ms after each send); ${ROUNDS} rounds`);
  const rows: { big: Burst; small: Burst; floor: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const b = await burst(big, PAIRS);
    const s = await burst(small, 1);
    const f = floor(file);
    rows.push({ big: b, small: s, floor: f.parse - f.bare });
  }
  const col = (get: (x: (typeof rows)[number]) => number, unit?: string): string => fig(rows.map(get), unit);
  console.log(`  control socket answering after ${col((x) => x.big.readyMs)} wall, ${col((x) => x.big.readyCpu)} CPU`);
  console.log(`  100 frames stored after ${col((x) => x.big.storedMs)} wall, ${col((x) => x.big.storedCpu)} CPU (whole process)`);
  console.log(`  1 pair: stored after ${col((x) => x.small.storedMs)} wall, ${col((x) => x.small.storedCpu)} CPU`);
  console.log(`  the burst's own CPU (100 pairs - 1 pair): ${col((x) => x.big.storedCpu - x.small.storedCpu)}`);
  console.log(`  engine floor (a bare node double-JSON.parsing the same messages): ${col((x) => x.floor)}; ft-edge's burst = ${
    (median(rows.map((x) => x.big.storedCpu - x.small.storedCpu)) / median(rows.map((x) => x.floor))).toFixed(1)}x the floor`);
  const names = [...new Set(rows.flatMap((x) => [...x.big.threads.keys()]))].sort();
  console.log(`  CPU by thread, 100 pairs: ${names.map((n) => `${n} ${col((x) => x.big.threads.get(n) ?? 0)}`).join(', ')}`);
  const traced = (await burst(big, PAIRS, ['--trace-gc'])).gcTrace;
  const count = (kind: RegExp): number => traced.split('\n').filter((l) => kind.test(l)).length;
  console.log(`  garbage collections from start to 100 frames stored (a run with --trace-gc): ${count(/: Scavenge/)} minor, ${count(/: Mark-Compact/)} full`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
  await big.stop();
  await small.stop();
}
