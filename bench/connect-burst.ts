/**
 * The connect burst as a Pi pays it (issue 14): `ft-edge run` started by the bin's #! line against the demo
 * producer serving 100 pairs x 1500 rows x 30 columns (with freqtrade's 10 ms pause after each send), timed from
 * spawn to every frame stored (the control socket's status, polled every 50 ms). Whole-process CPU from
 * /proc/PID/stat (every thread), and per thread from /proc/PID/task (the main thread, V8's workers, libuv's
 * pool), once at READY-equivalent (the control socket answers) and once with every frame stored, with the
 * daemon's own decode times of the first, tenth and last frame (its status). Beside it, in the
 * same run: a 1-pair daemon (start-up and one frame: subtracted to give the burst's own cost) and the engine's
 * floor, a bare `node` that only double-JSON.parses (outer message, inner frame) the same 100 messages as the
 * producer sent them; and freqtrade's consumer logic (bench/freqtrade-consumer.py) taking the same burst, when
 * Debian's python3 has what it needs. ROUNDS rounds, each figure given as the median and the range; then one more 100-pair run
 * with node's `--trace-gc` for the collections the burst causes, and a 100-pair and a 1-pair run with `--cpu-prof`
 * for where the main thread's time goes, by module (also net of the 1-pair run) and by function (none of these
 * timed: tracing and sampling cost time of their own).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoProducer, type DemoProducer } from '../src/demo/index.js';
import type { DecodeTimes } from '../src/ingest/index.js';
import { shebangArgument } from './_bin-launch.js';
import { capture } from './_capture.js';
import { procCpuMs, procStatus, startDaemon, threadCpu } from './_daemon.js';
import { freqtradeMissing, startFreqtradeConsumer } from './_freqtrade.js';

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
  /** The daemon's own decode times of the frames (its status). */
  decode: DecodeTimes;
  /** node's `--trace-gc` lines, when it ran with that flag. */
  gcTrace: string;
  /** The main thread's CPU profile, when it ran with `--cpu-prof`. */
  profile: string | undefined;
}

async function burst(producer: DemoProducer, n: number, nodeFlags: (tmp: string) => string[] = () => []): Promise<Burst> {
  const tmp = mkdtempSync(join(tmpdir(), 'ft-edge-bench-burst-'));
  const t0 = performance.now();
  const daemon = startDaemon(shebangArgument(), tmp, {
    external_message_consumer: { enabled: true, producers: [{ name: 'default', host: '127.0.0.1', port: producer.port, ws_token: TOKEN }] },
    datadir: join(tmp, 'state'),
  }, nodeFlags(tmp));
  let stopped = false;
  try {
    await daemon.waitFor(() => true, 'the control socket answering', 60_000);
    const readyMs = performance.now() - t0;
    const readyCpu = procCpuMs(daemon.child.pid!);
    const stored = await daemon.waitFor((s) => s.producers[0]?.keys === n && s.producers[0].rows === n * ROWS, 'every frame stored');
    const storedMs = performance.now() - t0;
    const storedCpu = procCpuMs(daemon.child.pid!);
    const threads = threadCpu(daemon.child.pid!);
    await daemon.stop(); // node writes a --cpu-prof profile as it exits
    stopped = true;
    const prof = readdirSync(tmp).find((f) => f.endsWith('.cpuprofile'));
    const profile = prof === undefined ? undefined : readFileSync(join(tmp, prof), 'utf8');
    return { readyMs, readyCpu, storedMs, storedCpu, threads, decode: stored.producers[0]!.decode_ms, gcTrace: daemon.stdout(), profile };
  } finally {
    if (!stopped) await daemon.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time (ms) of a V8 CPU profile, summed by `by` of each sample's function; idle time left out. */
function selfTime(profile: CpuProfile, by: (name: string, url: string) => string): [string, number][] {
  const frame = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const sums = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const f = frame.get(id)!;
    if (f.functionName === '(idle)') return;
    const key = by(f.functionName, f.url);
    sums.set(key, (sums.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...sums].sort((a, b) => b[1] - a[1]);
}

/** Where a function lives, said briefly: ft-edge's module, a package, node itself, or V8's own entries. */
function moduleOf(url: string): string {
  if (url === '') return '(V8: compiler, GC, runtime)';
  const dist = /\/dist\/(.*)\.js$/.exec(url);
  if (dist !== null) return dist[1]!;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg !== null) return pkg[1]!;
  return url.startsWith('node:') ? 'node internals' : url;
}

/** freqtrade's consumer logic taking the same burst: CPU (whole process) and wall time to every frame stored. */
async function modelBurst(producer: DemoProducer, n: number): Promise<{ cpu: number; wall: number; rssAnon: number }> {
  const t0 = performance.now();
  const model = startFreqtradeConsumer(producer, TOKEN, n, ROWS);
  try {
    await model.waitFor('stored');
    return { wall: performance.now() - t0, cpu: procCpuMs(model.child.pid!), rssAnon: procStatus(model.child.pid!).rssAnon };
  } finally {
    await model.stop();
  }
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
  const messages = await capture(big, TOKEN, PAIRS, ROWS);
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
  const dec = (get: (d: DecodeTimes) => number | null): string => {
    const xs = rows.map((x) => get(x.big.decode) ?? NaN);
    return `${median(xs).toFixed(1)} ms (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
  };
  console.log(`  decoding in the daemon (its status decode_ms): frame 1 ${dec((d) => d.first)}, frame 10 ${dec((d) => d.tenth)}, ` +
    `frame 100 ${dec((d) => d.last)}, all 100 ${dec((d) => d.total)}`);
  console.log(`  engine floor (a bare node double-JSON.parsing the same messages): ${col((x) => x.floor)}; ft-edge's burst = ${
    (median(rows.map((x) => x.big.storedCpu - x.small.storedCpu)) / median(rows.map((x) => x.floor))).toFixed(1)}x the floor`);
  const names = [...new Set(rows.flatMap((x) => [...x.big.threads.keys()]))].sort();
  console.log(`  CPU by thread, 100 pairs: ${names.map((n) => `${n} ${col((x) => x.big.threads.get(n) ?? 0)}`).join(', ')}`);
  const missing = freqtradeMissing();
  if (missing !== null) console.log(`  freqtrade's consumer logic: skipped, ${missing}`);
  else {
    const model: { big: number; small: number; wall: number; anon: number }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const b = await modelBurst(big, PAIRS);
      const s = await modelBurst(small, 1);
      model.push({ big: b.cpu, small: s.cpu, wall: b.wall, anon: b.rssAnon });
    }
    const net = (xs: { big: number; small: number }[]): number[] => xs.map((x) => x.big - x.small);
    console.log(`  freqtrade's consumer logic (bench/freqtrade-consumer.py) on the same producer: 100 frames stored after ${fig(model.map((x) => x.wall))} wall; ` +
      `its burst's own CPU (100 pairs - 1 pair) ${fig(net(model))}, ${(median(net(model)) / median(rows.map((x) => x.big.storedCpu - x.small.storedCpu))).toFixed(1)}x ft-edge's; ` +
      `RssAnon then ${fig(model.map((x) => x.anon / 1048576), 'MB')}`);
  }
  const traced = (await burst(big, PAIRS, () => ['--trace-gc'])).gcTrace;
  const count = (kind: RegExp): number => traced.split('\n').filter((l) => kind.test(l)).length;
  console.log(`  garbage collections from start to 100 frames stored (a run with --trace-gc): ${count(/: Scavenge/)} minor, ${count(/: Mark-Compact/)} full`);
  const profiled = async (producer: DemoProducer, n: number): Promise<CpuProfile> => {
    const text = (await burst(producer, n, (dir) => ['--cpu-prof', `--cpu-prof-dir=${dir}`])).profile;
    if (text === undefined) throw new Error('the --cpu-prof run wrote no profile');
    return JSON.parse(text) as CpuProfile;
  };
  const profile = await profiled(big, PAIRS);
  const one = new Map(selfTime(await profiled(small, 1), (_, url) => moduleOf(url)));
  const list = (xs: [string, number][], n: number): string => xs.slice(0, n).map(([k, ms]) => `${k} ${ms.toFixed(0)}`).join(', ');
  const modules = selfTime(profile, (_, url) => moduleOf(url));
  const total = (xs: Iterable<[string, number]>): number => [...xs].reduce((t, [, ms]) => t + ms, 0);
  console.log(`  main thread, start to stop (runs with --cpu-prof, ms of self time, idle left out): ${total(modules).toFixed(0)} ms, 1 pair ${total(one).toFixed(0)} ms`);
  console.log(`    by module: ${list(modules, 12)}`);
  const net = modules.map(([k, ms]): [string, number] => [k, ms - (one.get(k) ?? 0)]).sort((x, y) => y[1] - x[1]);
  console.log(`    by module, net of the 1-pair run: ${list(net, 12)}`);
  console.log(`    by function: ${list(selfTime(profile, (name, url) => `${name || '(anonymous)'} [${moduleOf(url)}]`), 12)}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
  await big.stop();
  await small.stop();
}
