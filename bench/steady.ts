/**
 * The daemon in its steady state (issue 14): `ft-edge run` by the bin's #! line holding 100 pairs x 1500 rows x
 * 30 columns from the demo producer, then (1) idle: no candles for IDLE_S seconds, CPU per second; (2) candles:
 * TICKS ticks TICK_MS apart, each a one-row message per pair (the strategy evaluating every key), CPU per candle
 * round net of the idle rate. Whole-process CPU from /proc/PID/stat (every thread). Then the same for freqtrade's
 * consumer logic (bench/freqtrade-consumer.py) on the same producer, when Debian's python3 has what it needs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoProducer } from '../src/demo/index.js';
import { shebangArgument } from './_bin-launch.js';
import { procCpuMs, procStatus, sleep, startDaemon, threadCpu } from './_daemon.js';
import { freqtradeMissing, startFreqtradeConsumer } from './_freqtrade.js';

const PAIRS = 100;
const ROWS = 1500;
const COLUMNS = 30;
const IDLE_S = 20;
const TICKS = 30;
const TICK_MS = 1000;
const TOKEN = 'bench-steady-token';
const mb = (x: number): string => `${(x / 1048576).toFixed(1)} MB`;

const producer = await startDemoProducer({
  token: TOKEN, pairs: Array.from({ length: PAIRS }, (_, i) => `P${String(i).padStart(3, '0')}/USDT`),
  history: ROWS, columns: COLUMNS, candleIntervalMs: 0,
});

/** Idle and candle-round figures of a consumer process that holds every key; `rounds` resolves once it took TICKS rounds. */
async function measure(name: string, pid: number, rounds: () => Promise<void>): Promise<void> {
  await sleep(3000); // the burst's GC and compile jobs finish
  const c0 = procCpuMs(pid);
  const th0 = threadCpu(pid);
  const t0 = performance.now();
  await sleep(IDLE_S * 1000);
  const idleS = (performance.now() - t0) / 1000;
  const idle = (procCpuMs(pid) - c0) / idleS;
  const byThread = [...threadCpu(pid)].map(([n, ms]) => `${n} ${((ms - (th0.get(n) ?? 0)) / idleS).toFixed(1)}`).join(', ');
  const m = procStatus(pid);
  const c1 = procCpuMs(pid);
  const t1 = performance.now();
  for (let i = 0; i < TICKS; i++) {
    producer.tick(1);
    await sleep(TICK_MS);
  }
  await rounds();
  const wall = (performance.now() - t1) / 1000;
  const perCandle = (procCpuMs(pid) - c1 - idle * wall) / TICKS;
  console.log(`${name} holding ${PAIRS} pairs x ${ROWS} rows x ${COLUMNS} columns`);
  console.log(`  idle (no candles, ${IDLE_S} s): ${idle.toFixed(1)} ms CPU per second; VmRSS ${mb(m.vmRss)}, RssAnon ${mb(m.rssAnon)}, RssFile ${mb(m.rssFile)}, Pss ${mb(m.pss)}`);
  console.log(`    by thread (ms/s): ${byThread}`);
  console.log(`  a candle for every pair (${TICKS} rounds ${TICK_MS} ms apart, ${PAIRS} one-row messages each): ${perCandle.toFixed(1)} ms CPU per round net of idle` +
    ` (${(perCandle * 1000 / PAIRS).toFixed(0)} us per message)`);
}

const tmp = mkdtempSync(join(tmpdir(), 'ft-edge-bench-steady-'));
const daemon = startDaemon(shebangArgument(), tmp, {
  external_message_consumer: { enabled: true, producers: [{ name: 'default', host: '127.0.0.1', port: producer.port, ws_token: TOKEN }] },
  datadir: join(tmp, 'state'),
});
try {
  await daemon.waitFor((s) => s.producers[0]?.keys === PAIRS && s.producers[0].rows === PAIRS * ROWS, 'every key full');
  // a second between rounds is ample for the daemon (it takes a round in well under 100 ms)
  await measure("ft-edge run by the bin's #! line", daemon.child.pid!, async () => undefined);
} finally {
  await daemon.stop();
  rmSync(tmp, { recursive: true, force: true });
}
const missing = freqtradeMissing();
if (missing !== null) console.log(`freqtrade's consumer logic: skipped, ${missing}`);
else {
  const model = startFreqtradeConsumer(producer, TOKEN, PAIRS, ROWS);
  try {
    await model.waitFor('stored');
    await measure("freqtrade's consumer logic (python3, pandas, rapidjson)", model.child.pid!, () => model.waitFor(`round ${TICKS}`, 120_000));
  } finally {
    await model.stop();
  }
}
await producer.stop();
