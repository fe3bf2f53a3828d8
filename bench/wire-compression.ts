/**
 * permessage-deflate on or off (config wire.compression), measured on the consumer's side of a real loopback
 * connection: a demo producer in its own process serves 20 pairs x 1500 rows x 30 columns, then 100 new
 * candles per pair (one-row broadcasts); a fresh consumer process per setting receives, decodes and stores them.
 * Reported per setting: bytes read from the socket, consumer CPU time and RSS.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startDemoProducer } from '../src/demo/index.js';
import { createLogger } from '../src/log.js';
import { FrameStore } from '../src/store/index.js';
import { ProblemBoard, createDaemonBus } from '../src/events/index.js';
import { IngestService } from '../src/ingest/index.js';

const PAIRS = Array.from({ length: 20 }, (_, i) => `P${i}/USDT`);
const ROWS = 1500;
const TICKS = 100;
const TOKEN = 'bench';
const self = fileURLToPath(import.meta.url);

interface Phase {
  ms: number;
  cpuMs: number;
  readBytes: number;
}
interface Result {
  compression: boolean;
  initial: Phase;
  ticks: Phase;
  rssMb: number;
  maxRssMb: number;
}

/** Bytes this process has read through read(2) so far: here, all but a few from the one socket. */
function rchar(): number {
  return Number(/rchar: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? NaN);
}

function mark(): () => Phase {
  const t = performance.now();
  const c = process.cpuUsage();
  const r = rchar();
  return () => {
    const d = process.cpuUsage(c);
    return { ms: performance.now() - t, cpuMs: (d.user + d.system) / 1000, readBytes: rchar() - r };
  };
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

async function producer(): Promise<void> {
  const d = await startDemoProducer({ token: TOKEN, pairs: PAIRS, history: ROWS, columns: 30, candleIntervalMs: 0, sendThrottleMs: 0 });
  process.on('message', (m: { tick?: number; stop?: boolean }) => {
    if (m.tick !== undefined) d.tick(m.tick);
    if (m.stop === true) void d.stop().then(() => process.exit(0));
  });
  process.send!({ port: d.port });
}

async function consumer(compression: boolean, port: number): Promise<void> {
  const store = new FrameStore({ capacity: ROWS });
  const silent = createLogger('error', () => {});
  const bus = createDaemonBus(() => {});
  const c = new IngestService({
    consumer: {
      enabled: true,
      producers: [{ name: 'default', host: '127.0.0.1', port, secure: false, ws_token: TOKEN }],
      wait_timeout: 30, ping_timeout: 10, sleep_time: 1, remove_entry_exit_signals: false,
      initial_candle_limit: ROWS, message_size_limit: 8,
    },
    wire: { compression, max_backoff: 10 },
    columns: {},
    store,
    bus,
    problems: new ProblemBoard(bus),
    log: silent,
  });
  global.gc?.();
  const analyzed = (): number => c.status()[0]!.messages.analyzed_df ?? 0;
  let end = mark();
  await c.start();
  await until(() => analyzed() === PAIRS.length);
  const initial = end();
  end = mark();
  process.send!({ ready: true });
  await until(() => analyzed() === PAIRS.length * (1 + TICKS));
  const ticks = end();
  const rssMb = process.memoryUsage.rss() / 2 ** 20;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  await c.stop();
  process.send!({ result: { compression, initial, ticks, rssMb, maxRssMb } satisfies Result });
}

function child(args: string[]): ChildProcess {
  return fork(self, args, { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

async function main(): Promise<void> {
  const prod = child(['producer']);
  const [{ port }] = (await once(prod, 'message')) as [{ port: number }];
  const results: Result[] = [];
  for (const compression of [false, true]) {
    const cons = child(['consumer', String(compression), String(port)]);
    const result = new Promise<Result>((resolve) =>
      cons.on('message', (m: { ready?: boolean; result?: Result }) => {
        if (m.ready === true) prod.send({ tick: TICKS });
        if (m.result !== undefined) resolve(m.result);
      }),
    );
    results.push(await result);
    await once(cons, 'exit');
  }
  prod.send({ stop: true });
  await once(prod, 'exit');

  const mb = (b: number): string => (b / 2 ** 20).toFixed(2).padStart(6);
  console.log(`consumer side, ${PAIRS.length} pairs x ${ROWS} rows x 30 columns, then ${TICKS} one-row candles per pair (loopback)`);
  for (const r of results) {
    const perMsgUs = (r.ticks.cpuMs * 1000) / (PAIRS.length * TICKS * 2); // analyzed_df + new_candle per pair and tick
    console.log(`compression ${r.compression ? 'on ' : 'off'}:`);
    console.log(`  initial frames: read ${mb(r.initial.readBytes)} MB, CPU ${r.initial.cpuMs.toFixed(0).padStart(5)} ms, ${r.initial.ms.toFixed(0)} ms wall`);
    console.log(`  one-row candles: read ${mb(r.ticks.readBytes)} MB, CPU ${r.ticks.cpuMs.toFixed(0).padStart(5)} ms (${perMsgUs.toFixed(1)} us per message)`);
    console.log(`  RSS ${r.rssMb.toFixed(1)} MB, peak ${r.maxRssMb.toFixed(1)} MB`);
  }
}

const [role, a, b] = process.argv.slice(2);
if (role === 'producer') await producer();
else if (role === 'consumer') await consumer(a === 'true', Number(b));
else await main();
