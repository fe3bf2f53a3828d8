/**
 * What the REST API for FreqUI costs the daemon (issue 13). `ft-edge run` by the bin's #! line, holding 100 pairs
 * x 1500 rows x 30 columns from the demo producer in this process, in four runs:
 *   off     - api_server disabled;
 *   idle    - the API listening, no client;
 *   ws      - one message-websocket client subscribed to new_candle (the baseline for candle latency);
 *   polled  - that client, plus FreqUI's polling (/status and /locks every 5 s, the dashboard's /profit, /balance,
 *             /count, /trades, /performance, /whitelist every 5 s too) and a probe timing /status and /pair_candles
 *             (the whole 1500 x 30 frame) every 500 ms, from the moment the API answers, so through the connect
 *             burst and the steady part.
 * Each run: spawn to every key full (the connect burst), then STEADY_ROUNDS candles one second apart (tick() sends
 * one per pair). Reported: VmRSS / RssAnon after the steady part, the daemon's CPU per second in it, the time
 * from a tick to each pair's new_candle on the websocket (the frame stored, which the strategy evaluates on), and
 * the control socket's status round trip (the event loop's responsiveness) during the steady part. The producer's
 * 10 ms pause after each send is off here, so the 100 candles of a tick arrive back to back and the latency is the
 * daemon's (with the pause, the last of them is sent a second after the first).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { request } from '../src/control/index.js';
import { startDemoProducer } from '../src/demo/index.js';
import { shebangArgument } from './_bin-launch.js';
import { procCpuMs, procStatus, sleep, startDaemon, type MemoryFigures } from './_daemon.js';

const PAIRS = 100;
const ROWS = 1500;
const COLUMNS = 30;
const STEADY_ROUNDS = 20;
const TOKEN = 'bench-api-polling-token';
const USER = 'bench';
const PASSWORD = 'bench-password-0123';
const MB = 1024 * 1024;
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const DASHBOARD = ['/status', '/locks', '/profit', '/balance', '/count', '/trades?limit=500&offset=0', '/performance', '/whitelist'];

type Mode = 'off' | 'idle' | 'ws' | 'polled';

interface Run {
  mode: Mode;
  fillMs: number;
  memory: MemoryFigures;
  cpuMsPerS: number;
  candleMs: number[];
  controlMs: number[];
  /** Probe timings (ms) by route, during the connect burst and in the steady part. */
  burst: Map<string, number[]>;
  steady: Map<string, number[]>;
  failures: number;
}

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const pp = (xs: readonly number[]): string =>
  xs.length === 0 ? 'none' : `p50 ${quantile(xs, 0.5).toFixed(1)} ms, p99 ${quantile(xs, 0.99).toFixed(1)} ms (${xs.length})`;
const mb = (x: number): string => `${(x / MB).toFixed(1)} MB`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function measure(mode: Mode): Promise<Run> {
  const tmp = mkdtempSync(join(tmpdir(), 'ft-edge-bench-api-'));
  const pairs = Array.from({ length: PAIRS }, (_, i) => `P${String(i).padStart(3, '0')}/USDT`);
  const producer = await startDemoProducer({ token: TOKEN, pairs, history: ROWS, columns: COLUMNS, candleIntervalMs: 0, sendThrottleMs: 0 });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/api/v1`;
  const daemon = startDaemon(shebangArgument(), tmp, {
    external_message_consumer: { enabled: true, producers: [{ name: 'default', host: '127.0.0.1', port: producer.port, ws_token: TOKEN }] },
    datadir: join(tmp, 'state'),
    api_server: mode === 'off' ? { enabled: false }
      : { enabled: true, listen_ip_address: '127.0.0.1', listen_port: port, username: USER, password: PASSWORD },
  });
  const run: Run = { mode, fillMs: 0, memory: procStatus(daemon.child.pid!), cpuMsPerS: 0, candleMs: [], controlMs: [], burst: new Map(), steady: new Map(), failures: 0 };
  const at: { phase: 'burst' | 'steady' | 'done' } = { phase: 'burst' };
  const timed = async (path: string): Promise<void> => {
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { authorization: AUTH } }).catch(() => undefined);
    await res?.arrayBuffer();
    if (res?.status !== 200) return void run.failures++;
    const name = path.split('?')[0]!;
    const into = at.phase === 'burst' ? run.burst : run.steady;
    (into.get(name) ?? into.set(name, []).get(name)!).push(performance.now() - t0);
  };
  const loops: Promise<void>[] = [];
  let ws: WebSocket | undefined;
  const arrived = new Map<string, number>();
  try {
    const t0 = performance.now();
    if (mode === 'ws' || mode === 'polled') {
      for (;;) {
        if (daemon.child.exitCode !== null) throw new Error(`ft-edge run exited: ${daemon.stderr()}`);
        if ((await fetch(`${base}/ping`).catch(() => undefined))?.status === 200) break;
        await sleep(20);
      }
      const client = new WebSocket(`${base.replace('http', 'ws')}/message/ws?token=${encodeURIComponent(await accessToken(base))}`);
      await new Promise((r, j) => client.once('open', r).once('error', j));
      client.send(JSON.stringify({ type: 'subscribe', data: ['new_candle'] }));
      client.on('message', (d) => {
        const m = JSON.parse(d.toString()) as { type: string; data: [string, string, string] };
        if (m.type === 'new_candle') arrived.set(m.data[0], performance.now());
      });
      ws = client;
    }
    if (mode === 'polled') {
      loops.push((async () => {
        while (at.phase !== 'done') {
          await Promise.all(DASHBOARD.map(timed));
          await sleep(5000);
        }
      })(), (async () => {
        while (at.phase !== 'done') {
          await timed('/status');
          await timed(`/pair_candles?pair=${encodeURIComponent(pairs[0]!)}&timeframe=5m`);
          await sleep(500);
        }
      })());
    }
    await daemon.waitFor((s) => s.producers[0]?.keys === PAIRS && s.producers[0].rows === PAIRS * ROWS, 'every key full');
    run.fillMs = performance.now() - t0;
    at.phase = 'steady';
    await sleep(2000); // the first evaluations and journal writes after the burst
    const cpu0 = procCpuMs(daemon.child.pid!);
    const s0 = performance.now();
    for (let round = 0; round < STEADY_ROUNDS; round++) {
      arrived.clear();
      const sent = performance.now();
      producer.tick(1);
      const c0 = performance.now();
      await request(daemon.socket, 'status');
      run.controlMs.push(performance.now() - c0);
      await sleep(1000 - (performance.now() - sent));
      if (ws !== undefined) {
        for (let waited = 0; arrived.size < PAIRS; waited += 10) {
          if (waited > 10_000) throw new Error(`round ${round}: ${arrived.size} of ${PAIRS} new_candle messages within 11 s; missing ${pairs.filter((p) => !arrived.has(p)).slice(0, 5).join(' ')}`);
          await sleep(10);
        }
        for (const t of arrived.values()) run.candleMs.push(t - sent);
      }
    }
    run.cpuMsPerS = (procCpuMs(daemon.child.pid!) - cpu0) / ((performance.now() - s0) / 1000);
    run.memory = procStatus(daemon.child.pid!);
    return run;
  } finally {
    at.phase = 'done';
    ws?.terminate();
    await Promise.all(loops);
    await daemon.stop();
    await producer.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function accessToken(base: string): Promise<string> {
  const res = await fetch(`${base}/token/login`, { method: 'POST', headers: { authorization: AUTH } });
  return ((await res.json()) as { access_token: string }).access_token;
}

console.log(`ft-edge run holding ${PAIRS} pairs x ${ROWS} rows x ${COLUMNS} columns; ${STEADY_ROUNDS} candles a second apart after the burst`);
const runs: Run[] = [];
for (const mode of ['off', 'idle', 'ws', 'polled'] as const) {
  try {
    const r = await measure(mode);
    runs.push(r);
    console.log(`  ${mode}: keys full after ${(r.fillMs / 1000).toFixed(2)} s; VmRSS ${mb(r.memory.vmRss)}, RssAnon ${mb(r.memory.rssAnon)}; CPU ${r.cpuMsPerS.toFixed(0)} ms/s steady` +
      `; control status ${pp(r.controlMs)}${r.failures > 0 ? `; ${r.failures} API requests failed` : ''}`);
    if (r.candleMs.length > 0) console.log(`    tick -> new_candle on the websocket, per pair: ${pp(r.candleMs)}`);
    for (const [name, xs] of r.burst) console.log(`    ${name} during the connect burst: ${pp(xs)}`);
    for (const [name, xs] of r.steady) if (name === '/status' || name === '/pair_candles') console.log(`    ${name} steady: ${pp(xs)}`);
    if (r.failures > 0) process.exitCode = 1;
  } catch (e) {
    console.log(`  ${mode}: failed: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
const by = (m: Mode): Run | undefined => runs.find((r) => r.mode === m);
const [off, idle, polled] = [by('off'), by('idle'), by('polled')];
if (off !== undefined && idle !== undefined && polled !== undefined) {
  console.log(`  RSS added by the API: idle ${mb(idle.memory.vmRss - off.memory.vmRss)} (RssAnon ${mb(idle.memory.rssAnon - off.memory.rssAnon)}), ` +
    `polled ${mb(polled.memory.vmRss - off.memory.vmRss)} (RssAnon ${mb(polled.memory.rssAnon - off.memory.rssAnon)})`);
}
