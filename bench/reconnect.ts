/**
 * How fast ingest recovers, with freqtrade's default settings (sleep_time 10, wire.max_backoff 300), against the
 * demo producer on loopback:
 *  1. the producer is killed and comes back after 15 s and after 60 s: time from it listening again to ft-edge
 *     connected (freqtrade's consumer: at most sleep_time, often at once);
 *  2. a producer that skips one candle of one pair after another (every 5th candle, rotating over 4 pairs) at
 *     4 candles a second for 30 s: how far behind the producer a key falls, and how far apart re-requests go out.
 * `node scripts/bench.mjs reconnect`
 */
import { performance } from 'node:perf_hooks';
import { startDemoProducer, type DemoProducer } from '../src/demo/index.js';
import { ProblemBoard, createDaemonBus } from '../src/events/index.js';
import { IngestService } from '../src/ingest/index.js';
import { createLogger } from '../src/log.js';
import { FrameStore } from '../src/store/index.js';

const TOKEN = 'bench-reconnect-token';
const PAIRS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT'];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, fn: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!fn()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function consumer(port: number): { ingest: IngestService; store: FrameStore; requests: number[] } {
  const bus = createDaemonBus(() => {});
  const store = new FrameStore({ capacity: 1500 });
  const requests: number[] = [];
  const log = createLogger('debug', (l) => {
    if (l.includes('requested')) requests.push(performance.now());
  });
  const ingest = new IngestService({
    consumer: {
      enabled: true, producers: [{ name: 'default', host: '127.0.0.1', port, secure: false, ws_token: TOKEN }],
      wait_timeout: 30, ping_timeout: 10, sleep_time: 10, remove_entry_exit_signals: false, initial_candle_limit: 1500,
      message_size_limit: 8,
    },
    wire: { compression: false, max_backoff: 300 },
    columns: {},
    store,
    bus,
    problems: new ProblemBoard(bus),
    log,
  });
  return { ingest, store, requests };
}

async function restart(downMs: number): Promise<number> {
  const d = await startDemoProducer({ token: TOKEN, pairs: PAIRS, history: 300, candleIntervalMs: 0 });
  const c = consumer(d.port);
  await c.ingest.start();
  const connects = (): number => c.ingest.status()[0]!.connects;
  await until('connected', () => connects() === 1, 10_000);
  const back = d.faults.restart({ downMs });
  await back; // resolves once the producer listens again
  const listening = performance.now();
  await until('reconnected', () => connects() === 2, 60_000);
  const ms = performance.now() - listening;
  await c.ingest.stop();
  await d.stop();
  return ms;
}

async function stalls(): Promise<{ worst: number; spacingS: number[]; requests: number }> {
  const d: DemoProducer = await startDemoProducer({ token: TOKEN, pairs: PAIRS, history: 300, candleIntervalMs: 0 });
  const c = consumer(d.port);
  await c.ingest.start();
  await until('all pairs held', () => [...c.store.keys()].length === PAIRS.length, 10_000);
  const behind = (pair: string): number => {
    const held = [...c.store.keys()].find((k) => k.key.pair === pair)!.lastDate;
    return (d.frame(pair)!.dates.at(-1)! - held) / 300_000;
  };
  let worst = 0;
  for (let i = 1; i <= 120; i++) {
    if (i % 5 === 0) d.faults.dropCandles(1, PAIRS[(i / 5) % PAIRS.length]!);
    d.tick(1);
    await sleep(250);
    worst = Math.max(worst, ...PAIRS.map(behind));
  }
  const spacingS = c.requests.slice(1).map((t, i) => Number(((t - c.requests[i]!) / 1000).toFixed(1)));
  const requests = c.ingest.status()[0]!.re_requests;
  await c.ingest.stop();
  await d.stop();
  return { worst, spacingS, requests };
}

const down15 = await restart(15_000);
const down60 = await restart(60_000);
console.log(`producer restarted, sleep_time 10 s: connected ${(down15 / 1000).toFixed(1)} s after it listened again (down 15 s), ` +
  `${(down60 / 1000).toFixed(1)} s (down 60 s); bound: sleep_time`);
const s = await stalls();
const spread = s.spacingS.length === 0 ? 'none' : `${Math.min(...s.spacingS)}-${Math.max(...s.spacingS)} s apart`;
console.log(`skipped candles (every 5th, rotating over 4 pairs, 4 candles/s for 30 s): worst key ${s.worst} candles behind the producer; ` +
  `${s.requests} re-requests for 24 holes, ${spread}`);
