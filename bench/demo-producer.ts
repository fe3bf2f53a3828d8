/**
 * The demo producer at the size the brief names: 100 pairs x 1500 candles x 30 columns. Measures start-up
 * (generating and analyzing every candle, CPU time), RSS holding it all, serving a consumer's initial requests
 * on loopback (whitelist + 100 full frames, with and without permessage-deflate, freqtrade's 10 ms throttle off
 * to see the producer's own cost, then on), and a tick (100 one-row broadcasts) to one subscriber.
 * The consumer here is a bare `ws` client in the same process, so its receive cost is included.
 */
import { WebSocket } from 'ws';
import { startDemoProducer, type DemoProducer } from '../src/demo/index.js';

const PAIRS = Array.from({ length: 100 }, (_, i) => `P${String(i).padStart(3, '0')}/USDT`);
const TOKEN = 'bench';

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const gc = (globalThis as { gc?: () => void }).gc;

async function connect(p: DemoProducer, deflate: boolean): Promise<WebSocket> {
  const ws = new WebSocket(`${p.url}?token=${TOKEN}`, { perMessageDeflate: deflate, maxPayload: 64 << 20 });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

/** Sends freqtrade's three initial requests; resolves with wall ms and wire bytes once all replies arrived. */
async function initialBurst(ws: WebSocket): Promise<{ ms: number; bytes: number }> {
  let bytes = 0;
  let count = 0;
  const started = performance.now();
  const done = new Promise<void>((resolve) => {
    const onMessage = (data: Buffer): void => {
      bytes += data.length;
      if (++count === PAIRS.length + 1) {
        ws.off('message', onMessage);
        resolve();
      }
    };
    ws.on('message', onMessage);
  });
  ws.send('{"type":"subscribe","data":["whitelist","analyzed_df"]}');
  ws.send('{"type":"whitelist"}');
  ws.send('{"type":"analyzed_df","data":{"limit":1500,"pair":null}}');
  await done;
  return { ms: performance.now() - started, bytes };
}

async function serve(label: string, throttleMs: number, deflate: boolean): Promise<void> {
  const p = await startDemoProducer({
    token: TOKEN, pairs: PAIRS, history: 1500, columns: 30, candleIntervalMs: 0, sendThrottleMs: throttleMs, deflate,
  });
  const ws = await connect(p, deflate);
  await initialBurst(ws); // warm-up
  const runs: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 3; i++) {
    const r = await initialBurst(ws);
    runs.push(r.ms);
    bytes = r.bytes;
  }
  const ms = runs.sort((a, b) => a - b)[1]!;
  console.log(
    `initial requests, ${label}: ${ms.toFixed(0)} ms for whitelist + ${PAIRS.length} frames, ` +
      `${mb(bytes)} MB of text, ${(bytes / 1024 / 1024 / (ms / 1000)).toFixed(0)} MB/s (median of 3)`,
  );
  ws.terminate();
  await p.stop();
}

async function main(): Promise<void> {
  gc?.();
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const p = await startDemoProducer({ token: TOKEN, pairs: PAIRS, history: 1500, columns: 30, candleIntervalMs: 0 });
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `start-up, ${PAIRS.length} pairs x 1500 candles x 30 columns: ${(performance.now() - t0).toFixed(0)} ms wall, ` +
      `${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU`,
  );
  gc?.();
  console.log(`RSS holding it: ${mb(process.memoryUsage().rss)} MB (${mb(process.memoryUsage().rss - rss0)} MB above the bare process)`);

  const ws = await connect(p, false);
  ws.send('{"type":"subscribe","data":["analyzed_df","new_candle"]}');
  ws.send('{"type":"whitelist"}'); // its reply: the subscription is in place
  await new Promise((resolve) => ws.once('message', resolve));
  let received = 0;
  ws.on('message', () => received++);
  const ticks = 50;
  const tickCpu = process.cpuUsage();
  const tickStart = performance.now();
  for (let i = 0; i < ticks; i++) p.tick();
  const tickMs = performance.now() - tickStart;
  const tickUs = process.cpuUsage(tickCpu);
  await new Promise<void>((resolve) => {
    const poll = (): void => (received >= ticks * PAIRS.length * 2 ? resolve() : void setTimeout(poll, 5));
    poll();
  });
  console.log(
    `tick (${PAIRS.length} new candles analyzed, formatted, queued): ${((tickMs * 1000) / ticks / PAIRS.length).toFixed(1)} us per pair ` +
      `(${((tickUs.user + tickUs.system) / ticks / PAIRS.length).toFixed(1)} us CPU); all ${received} broadcasts delivered`,
  );
  ws.terminate();
  await p.stop();

  await serve('no deflate, no throttle', 0, false);
  await serve('deflate, no throttle', 0, true);
  await serve("no deflate, freqtrade's 10 ms throttle", 10, false);
}

await main();
