/**
 * The consumer against the demo producer (freqtrade's producer side in TypeScript) over real sockets, with the
 * producer's fault switches: the frames held must be the producer's own, cell by cell, through gaps, garbage,
 * restarts, half-open links and refusals.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Config, ExternalMessageConsumerConfig } from '../../src/config/index.js';
import type { ConnectionError } from '../../src/wire/index.js';
import type { ProducerStatus } from '../../src/ingest/index.js';
import { GARBAGE_KINDS, startDemoProducer, type DemoProducer, type DemoProducerOptions } from '../../src/demo/index.js';
import { createLogger } from '../../src/log.js';
import type { FrameStore } from '../../src/store/index.js';
import { daemonParts } from '../helpers/daemon-parts.js';
import { loopbackConsumerConfig } from '../helpers/loopback-config.js';
import { until } from '../helpers/until.js';

const TOKEN = 'integration-token';
const PAIRS = ['BTC/USDT', 'ETH/USDT'];

async function demo(t: TestContext, opts: Partial<DemoProducerOptions> = {}): Promise<DemoProducer> {
  const d = await startDemoProducer({ token: TOKEN, pairs: PAIRS, history: 300, candleIntervalMs: 0, sendThrottleMs: 0, ...opts });
  t.after(() => d.stop());
  return d;
}

function consumerFor(
  t: TestContext,
  producers: readonly { name: string; port: number }[],
  over: Partial<ExternalMessageConsumerConfig> = {},
  wire: Partial<Config['wire']> = {},
) {
  const lines: string[] = [];
  /** Connection changes that came with an error: why a connection closed or an attempt failed. */
  const events: { state: string; error: ConnectionError }[] = [];
  const cfg = loopbackConsumerConfig(producers, TOKEN, over);
  const { ingest: consumer, store, bus } = daemonParts({
    consumer: cfg,
    wire: { compression: true, max_backoff: 0.2, ...wire },
    log: createLogger('debug', (l) => lines.push(l)),
  });
  bus.on('connection', (_producer, state, error) => error !== null && events.push({ state, error }));
  t.after(() => consumer.stop());
  const status = (name = producers[0]!.name): ProducerStatus => consumer.status().find((s) => s.name === name)!;
  return { consumer, store, lines, events, status };
}

/**
 * The first difference between what the store holds for `pair` and the producer's own frame, or null. The
 * producer keeps a window of `history` candles; the consumer keeps appending up to 1500, so the producer's
 * window is compared with the held frame's last rows.
 */
function difference(store: FrameStore, producer: string, d: DemoProducer, pair: string): string | null {
  const want = d.frame(pair)!;
  const held = store.producerDf(pair, want.key.timeframe, want.key.candleType, producer);
  if (held === undefined) return `nothing held for ${pair}`;
  const { table, la } = held;
  const n = Math.min(want.dates.length, 1500);
  const skip = want.dates.length - n;
  const off = table.numRows - n; // held rows before the producer's window
  if (la !== want.la) return `${pair}: la ${la} != ${want.la}`;
  if (off < 0) return `${pair}: ${table.numRows} rows held, producer has ${n}`;
  const names = table.schema.fields.map((f) => f.name);
  if (names.join() !== ['date', ...want.columns].join()) return `${pair}: columns ${names.join()} != date,${want.columns.join()}`;
  const dates = [...table.getChild('date')!].map(Number);
  for (let r = 0; r < n; r++) if (dates[off + r] !== want.dates[skip + r]) return `${pair}: row ${r} date ${dates[off + r]} != ${want.dates[skip + r]}`;
  for (let c = 0; c < want.columns.length; c++) {
    const got = [...table.getChild(want.columns[c]!)!];
    const col = want.values[c]!;
    for (let r = 0; r < n; r++) {
      const w = col[skip + r] ?? null;
      const g = got[off + r] ?? null;
      if (g !== w && !(typeof w === 'boolean' && g === Number(w))) return `${pair}: ${want.columns[c]} row ${r}: ${String(g)} != ${String(w)}`;
    }
  }
  return null;
}

/** Waits until the store holds every whitelisted pair exactly as the producer has it. */
async function holdsAll(store: FrameStore, producer: string, d: DemoProducer, pairs = PAIRS, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const diff = pairs.map((p) => difference(store, producer, d, p)).find((x) => x !== null) ?? null;
    if (diff === null) return;
    if (Date.now() > deadline) assert.fail(`store differs from producer ${producer}: ${diff}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}


const initialRequests = (d: DemoProducer) => d.received().filter((r) => r.type === 'subscribe').length;

for (const compression of [true, false]) {
  test(`initial frames, then new candles, held exactly as the producer has them (compression ${compression ? 'on' : 'off'})`, async (t) => {
    const d = await demo(t);
    const { consumer, store, status } = consumerFor(t, [{ name: 'default', port: d.port }], {}, { compression });
    await consumer.start();
    await holdsAll(store, 'default', d);
    assert.deepEqual(d.received().slice(0, 3), [
      { type: 'subscribe', data: ['whitelist', 'analyzed_df'] },
      { type: 'whitelist', data: undefined },
      { type: 'analyzed_df', data: { limit: 1500, pair: null } },
    ]);
    assert.deepEqual(store.producerPairs('default'), PAIRS);
    d.tick(3);
    d.reanalyze();
    await holdsAll(store, 'default', d);
    assert.ok([...store.keys()].every((k) => k.rows === 303));
    assert.equal(status().re_requests, 0);
    assert.equal(status().messages.analyzed_df, 2 + 2 * 4);
    const times = status().decode_ms;
    assert.equal(times.frames, 10, 'every frame since connecting is timed');
    assert.ok(times.first! > 0 && times.tenth! > 0 && times.last === times.tenth, JSON.stringify(times));
    assert.ok(times.total >= times.first! + times.tenth!, JSON.stringify(times));
  });
}

test('missed candles: the exact re-request goes out and the gap is closed', async (t) => {
  const d = await demo(t);
  const { consumer, store, status } = consumerFor(t, [{ name: 'default', port: d.port }]);
  await consumer.start();
  await holdsAll(store, 'default', d);
  d.faults.dropCandles(3, 'BTC/USDT');
  d.tick(4); // BTC's candles 1-3 are not broadcast; the 4th is four candles after the last held
  await holdsAll(store, 'default', d);
  assert.deepEqual(d.received().slice(3), [{ type: 'analyzed_df', data: { limit: 5, pair: 'BTC/USDT' } }]);
  assert.equal(status().re_requests, 1);
});

test('garbage of every kind: dropped and counted, connection kept, frames still exact', async (t) => {
  const d = await demo(t);
  const { consumer, store, status, lines } = consumerFor(t, [{ name: 'default', port: d.port }]);
  await consumer.start();
  await holdsAll(store, 'default', d);
  for (const kind of GARBAGE_KINDS) if (kind !== 'oversize') d.faults.garbage(kind, { pair: 'ETH/USDT' });
  d.reanalyze(); // nan_literals re-sent ETH's last row with nulls; the producer's next analysis replaces it
  d.tick(1);
  await holdsAll(store, 'default', d);
  const s = status();
  assert.equal(s.connects, 1);
  assert.equal(d.clients(), 1);
  assert.deepEqual(store.producerPairs('default'), PAIRS, 'an empty whitelist leaves the old one');
  // not_json, deep_nesting: undecodable or invalid; wrong_shape, unknown_type: invalid; ragged_rows, deep_nesting_frame: frame
  assert.equal(s.dropped.invalid + s.dropped.undecodable + s.dropped.frame, 6, JSON.stringify(s.dropped));
  assert.equal(s.dropped.frame, 2);
  assert.equal(s.dropped.internal, 0);
  assert.equal(s.messages.whitelist, 2, 'the empty whitelist is counted (and not used)');
  for (const l of lines.filter((x) => x.includes('dropped'))) assert.match(l, /producer default: dropped /);
});

test('an oversize message fails the connection (1009); the consumer reconnects and catches up', async (t) => {
  const d = await demo(t);
  const { consumer, store, status, events } = consumerFor(t, [{ name: 'default', port: d.port }], { message_size_limit: 1 });
  await consumer.start();
  await holdsAll(store, 'default', d);
  d.faults.garbage('oversize', { bytes: 3 << 20 });
  await until(() => status().connects === 2, 'reconnect');
  d.tick(1);
  await holdsAll(store, 'default', d);
  assert.equal(status().dropped.oversize, 1);
  assert.equal(initialRequests(d), 2);
  assert.ok(events.some((e) => e.error.code === 'oversize' && e.error.message.includes('message_size_limit (1 MB)')));
});

test('producer restarted (with another schema): reconnect, initial requests again, frames replaced', async (t) => {
  const d = await demo(t, { columns: 30 });
  const { consumer, store, status } = consumerFor(t, [{ name: 'default', port: d.port }]);
  await consumer.start();
  await holdsAll(store, 'default', d);
  await d.faults.restart({ columns: 24, downMs: 300 });
  await until(() => status().connects === 2, 'reconnect after restart');
  await holdsAll(store, 'default', d);
  assert.equal(d.frame('BTC/USDT')!.columns.length, 23);
  assert.equal(initialRequests(d), 2);
  assert.ok(status().failed_attempts === 0);
  assert.equal(status().decode_ms.frames, PAIRS.length, 'decode times count from the reconnect');
});

test('a producer down for a while is reconnected to at sleep_time: the wait does not grow while it restarts', async (t) => {
  const d = await demo(t);
  const { consumer, store, status, lines } = consumerFor(t, [{ name: 'default', port: d.port }], { sleep_time: 0.1 }, { max_backoff: 10 });
  await consumer.start();
  await holdsAll(store, 'default', d);
  await d.faults.restart({ downMs: 1500 });
  await until(() => status().connects === 2, 'reconnect after restart');
  const waits = lines.filter((l) => l.includes('retrying in')).map((l) => /retrying in ([\d.]+ \w+)/.exec(l)?.[1]);
  assert.ok(waits.length >= 5, `only ${waits.length} failed attempts while the producer was down`);
  assert.deepEqual([...new Set(waits)], ['0.1 s'], 'every attempt waited sleep_time (freqtrade: at most sleep_time)');
  await holdsAll(store, 'default', d);
});

test('a producer that skips a candle of one pair after another: no key falls more than 2 candles behind', async (t) => {
  const pairs = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT'];
  const d = await demo(t, { pairs });
  const { consumer, store, status } = consumerFor(t, [{ name: 'default', port: d.port }]);
  await consumer.start();
  await holdsAll(store, 'default', d, pairs);
  const tf = 300_000;
  const lastHeld = (pair: string): number => [...store.keys()].find((k) => k.key.pair === pair)!.lastDate;
  const behind = (pair: string): number => (d.frame(pair)!.dates.at(-1)! - lastHeld(pair)) / tf;
  let worst = 0;
  for (let i = 1; i <= 60; i++) {
    const skipped = i % 5 === 0 ? pairs[(i / 5) % pairs.length]! : null; // "gap every 5 candles, rotating pairs"
    if (skipped !== null) d.faults.dropCandles(1, skipped);
    d.tick(1);
    // Candles come as fast as the machine allows, so each is let settle before the next: everything the producer
    // had to send (broadcasts and the replies to re-requests) went out and was taken in by the consumer.
    await until(() => {
      const { sent, pending } = d.traffic();
      const s = status();
      const taken = Object.values(s.messages).reduce((a, n) => a + n, 0) + Object.values(s.dropped).reduce((a, n) => a + n, 0);
      return pending === 0 && taken === sent;
    }, `tick ${i} settled`);
    worst = Math.max(worst, ...pairs.map(behind));
  }
  assert.ok(worst <= 2, `a key fell ${worst} candles behind the producer`);
  d.tick(1); // the last skipped candle shows as a gap with the next one
  await holdsAll(store, 'default', d, pairs);
  assert.equal(status().re_requests, 12, 'one request per skipped candle: each answered request ended the backoff');
});

test('terminated connections are reopened at once', async (t) => {
  const d = await demo(t);
  const { consumer, store, status } = consumerFor(t, [{ name: 'default', port: d.port }], { sleep_time: 60 });
  await consumer.start();
  await holdsAll(store, 'default', d);
  d.faults.terminate();
  await until(() => status().connects === 2, 'reconnect without waiting sleep_time');
  d.tick(2);
  await holdsAll(store, 'default', d);
});

test('a half-open producer is detected within wait_timeout + ping_timeout, then reconnected to', async (t) => {
  const d = await demo(t);
  const { consumer, store, status, events } = consumerFor(t, [{ name: 'default', port: d.port }], { wait_timeout: 0.3, ping_timeout: 0.3 });
  await consumer.start();
  await holdsAll(store, 'default', d);
  const t0 = Date.now();
  d.faults.halfOpen();
  await until(() => events.some((e) => e.error.code === 'no-pong'), 'half-open detected', 5000);
  const dt = Date.now() - t0;
  // Timers never fire early: only the lower bound holds on a loaded machine (the bench measures the rest).
  assert.ok(dt >= 250, `detected after ${dt} ms`);
  await until(() => status().connects === 2, 'reconnect');
  d.tick(1);
  await holdsAll(store, 'default', d);
});

test('a refused token is reported until the producer accepts again', async (t) => {
  const d = await demo(t);
  const { consumer, store, status, lines } = consumerFor(t, [{ name: 'default', port: d.port }]);
  d.faults.refuse(true);
  await consumer.start();
  await until(() => status().state === 'refused', 'refused');
  assert.equal(status().last_error?.code, 'refused');
  assert.ok(lines.every((l) => !l.includes(TOKEN)));
  d.faults.refuse(false);
  await holdsAll(store, 'default', d);
  assert.equal(status().state, 'connected');
});

test('two producers at once, each frame kept under its producer', async (t) => {
  const a = await demo(t);
  const b = await demo(t, { pairs: ['SOL/USDT'], timeframe: '1h', seed: 7, deflate: false });
  const { consumer, store, status } = consumerFor(t, [
    { name: 'a', port: a.port },
    { name: 'b', port: b.port },
  ]);
  await consumer.start();
  await holdsAll(store, 'a', a);
  await holdsAll(store, 'b', b, ['SOL/USDT']);
  a.tick(1);
  b.tick(2);
  await holdsAll(store, 'a', a);
  await holdsAll(store, 'b', b, ['SOL/USDT']);
  assert.deepEqual(store.producerPairs('b'), ['SOL/USDT']);
  assert.equal(status('a').connects, 1);
  assert.equal(status('b').connects, 1);
});

test('a producer with a short history: its replies are stored, requests do not repeat', async (t) => {
  const d = await demo(t);
  d.faults.shortHistory(40);
  const { consumer, store, status } = consumerFor(t, [{ name: 'default', port: d.port }]);
  await consumer.start();
  await until(() => [...store.keys()].length === 2, 'both pairs held');
  assert.ok([...store.keys()].every((k) => k.rows === 40));
  const requests = status().re_requests;
  assert.equal(requests, 2); // one per pair, answered with 40 rows and stored
  d.tick(1);
  await until(() => [...store.keys()].every((k) => k.rows === 41), 'new candle appended');
  assert.equal(status().re_requests, requests);
});
