import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import type { Config, ExternalMessageConsumerConfig } from '../../src/config/index.js';
import type { IngestService } from '../../src/ingest/index.js';
import { createLogger } from '../../src/log.js';
import type { FrameStore } from '../../src/store/index.js';
import { WsPeer } from '../wire/ws-peer.js';
import { daemonParts, type DaemonParts } from '../helpers/daemon-parts.js';
import { loopbackConsumerConfig } from '../helpers/loopback-config.js';
import { until } from '../helpers/until.js';
import { VECTORS_DIR as VECTORS } from '../helpers/vectors.js';

const TOKEN = 'consumer-test-token';
const CANDLE = 300_000; // 5m
const T0 = Date.UTC(2024, 9, 24, 0, 0);
const LA = '2024-10-24T09:29:03+00:00';

function vector(name: string): string {
  return readFileSync(`${VECTORS}/${name}.wire`, 'utf8');
}

type Cell = number | string | boolean | null;

/** An analyzed_df message for `pair` (5m spot) with candles first..first+n-1 of a simple frame, as a producer writes it. */
function frameMessage(pair: string, first: number, n: number, extra: Record<string, (i: number) => Cell> = {}): string {
  const columns = ['date', 'open', 'high', 'low', 'close', 'volume', 'rsi', ...Object.keys(extra)];
  const data: Cell[][] = [];
  for (let i = first; i < first + n; i++) {
    data.push([T0 + i * CANDLE, 100 + i, 101 + i, 99 + i, 100.5 + i, 10 * i, i % 100, ...Object.values(extra).map((f) => f(i))]);
  }
  const inner = JSON.stringify({ columns, index: data.map((_, j) => j), data });
  return JSON.stringify({
    type: 'analyzed_df',
    data: { key: [pair, '5m', 'spot'], df: { __type__: 'dataframe', __value__: inner }, la: LA },
  });
}

function settings(port: number | number[], over: Partial<ExternalMessageConsumerConfig> = {}): ExternalMessageConsumerConfig {
  const ports = Array.isArray(port) ? port : [port];
  return loopbackConsumerConfig(ports.map((p, i) => ({ name: `p${i + 1}`, port: p })), TOKEN, over);
}

/** What the event stream said, in words a test compares. */
type Heard = { frame: string } | { producer: string; state: string; error: string | null };

interface Setup extends DaemonParts {
  consumer: IngestService;
  lines: string[];
  events: Heard[];
  /** Moves the request-backoff clock on. */
  advance(ms: number): void;
}

function consumerFor(
  t: TestContext,
  cfg: ExternalMessageConsumerConfig,
  columns: Config['store']['columns'] = {},
  wire: Partial<Config['wire']> = {},
): Setup {
  const lines: string[] = [];
  const events: Heard[] = [];
  let clock = 0;
  const parts = daemonParts({
    consumer: cfg,
    wire: { compression: false, max_backoff: 0.2, ...wire },
    columns,
    log: createLogger('debug', (l) => lines.push(l)),
    clock: () => clock,
  });
  parts.bus.on('frame-stored', (producer, key, how) => events.push({ frame: `${producer} ${key.pair} ${how}` }));
  parts.bus.on('connection', (producer, state, error) => events.push({ producer, state, error: error?.code ?? null }));
  t.after(() => parts.ingest.stop());
  return { ...parts, consumer: parts.ingest, lines, events, advance: (ms) => (clock += ms) };
}

async function peerFor(t: TestContext, deflate = false): Promise<WsPeer> {
  const peer = await WsPeer.start({ token: TOKEN, perMessageDeflate: deflate });
  t.after(() => peer.kill());
  return peer;
}

/** A consumer connected to one peer, past its three initial requests. */
async function connected(t: TestContext, over: Partial<ExternalMessageConsumerConfig> = {}, columns: Config['store']['columns'] = {}) {
  const peer = await peerFor(t);
  const s = consumerFor(t, settings(peer.port, over), columns);
  await s.consumer.start();
  await until(() => peer.received.length === 3, 'initial requests');
  const status = () => s.consumer.status()[0]!;
  /**
   * Sends messages, then a marker whitelist of its own, and waits until the store holds that whitelist: messages
   * are handled in order, so all before it were handled too (whatever whitelists the messages held themselves).
   */
  let marks = 0;
  const send = async (...msgs: string[]): Promise<void> => {
    for (const m of msgs) peer.latest().send(m);
    const mark = `MARK${++marks}/USDT`;
    peer.latest().send(`{"type":"whitelist","data":["${mark}"]}`);
    await until(() => s.store.producerPairs('p1')[0] === mark, 'messages handled');
  };
  /** The request the peer got last, once all `count` the consumer sent have arrived (they travel on while the test goes on). */
  const lastRequest = async (count: number): Promise<string | undefined> => {
    await until(() => peer.received.length >= count, `${count} requests at the peer`);
    return peer.received.at(-1);
  };
  return { ...s, peer, status, send, lastRequest };
}

function column(store: FrameStore, pair: string, name: string, producer = 'p1'): Cell[] {
  const df = store.producerDf(pair, '5m', 'spot', producer);
  assert.ok(df !== undefined, `nothing held for ${pair}`);
  const col = df.table.getChild(name);
  assert.ok(col !== null, `no column ${name}`);
  return [...col].map((v) => (typeof v === 'bigint' ? Number(v) : (v as Cell)));
}

test('whitelist and a full frame reach the store; one message event per stored frame', async (t) => {
  const { store, events, send, status } = await connected(t);
  await send(vector('whitelist'), vector('analyzed_df_full_1500'));
  assert.deepEqual(store.producerPairs('p1'), ['MARK1/USDT']);
  const held = [...store.keys()];
  assert.equal(held.length, 1);
  assert.equal(held[0]!.rows, 1500);
  assert.equal(held[0]!.la, JSON.parse(vector('analyzed_df_full_1500')).data.la);
  assert.deepEqual(events, [
    { producer: 'p1', state: 'connecting', error: null },
    { producer: 'p1', state: 'connected', error: null },
    { frame: `p1 ${held[0]!.key.pair} replaced` },
  ]);
  assert.equal(status().messages.analyzed_df, 1);
  assert.deepEqual(status().dropped, { invalid: 0, undecodable: 0, frame: 0, oversize: 0, protocol: 0, internal: 0 });
});

test('every producer vector: valid ones used, invalid and undecodable ones dropped and counted, connection kept', async (t) => {
  const { store, send, status, lines, peer } = await connected(t);
  const names = readdirSync(VECTORS).filter((f) => f.endsWith('.wire') && !f.startsWith('request_')).map((f) => f.slice(0, -5));
  for (const name of names) await send(vector(name));
  const invalid = names.filter((n) => n.startsWith('invalid_')).length;
  const undecodable = names.filter((n) => n.startsWith('undecodable_')).length;
  const s = status();
  assert.equal(s.dropped.invalid, invalid);
  assert.equal(s.dropped.undecodable + s.dropped.frame, undecodable);
  assert.equal(s.connects, 1);
  assert.equal(peer.sockets.length, 1);
  // one line per drop naming the producer and the reason; repeats in a row at debug level
  const drops = lines.filter((l) => l.includes('producer p1: dropped '));
  assert.equal(drops.length, invalid + undecodable, drops.join('\n'));
  for (const l of drops) assert.match(l, /^<[37]>producer p1: dropped (an invalid message|an undecodable message|analyzed_df \S+ \S+ \S+): \S/);
  assert.ok(drops.filter((l) => l.startsWith('<3>')).length >= 3);
  assert.equal(s.dropped.internal, 0);
  // ignored and empty types are counted, logged once at info
  assert.equal(s.messages.new_candle, 1);
  assert.equal(s.messages.exception, 1);
  assert.equal(lines.filter((l) => l.includes('ignoring "new_candle"')).length, 1);
  assert.ok([...store.keys()].length >= 1);
});

test('garbage of every kind is dropped alone: the connection stays and the next frame is stored', async (t) => {
  const { store, send, status, peer } = await connected(t);
  const good = frameMessage('BTC/USDT', 0, 150);
  const garbage = [
    'not json at all',
    '{"type":"analyzed_df","data":',
    '',
    '[1,2,3]',
    'null',
    '{"type":"unknown_kind","data":{}}',
    '{"data":["BTC/USDT"]}',
    '{"type":"whitelist","data":{"a":1}}',
    '{"type":"analyzed_df","data":{"key":["BTC/USDT","5m","nonsense"],"df":{"__type__":"dataframe","__value__":"{}"},"la":"x"}}',
    `{"type":"analyzed_df","data":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
    good.replace('"__value__":"', `"__value__":"${'['.repeat(10_000)}`),
    good.replace('[[', '[[1,'), // ragged: the first row has one value more than there are columns
    good.replace('"columns', '"columnz'),
    good.replace('"__type__":"dataframe"', '"__type__":"frame"'),
    good.slice(0, good.length - 40) + '"}}',
    '\u0000\u0001\u0002',
  ];
  for (const g of garbage) await send(g);
  const s = status();
  assert.equal(s.dropped.invalid + s.dropped.undecodable + s.dropped.frame, garbage.length, JSON.stringify(s.dropped));
  assert.equal(s.messages.analyzed_df ?? 0, 0);
  assert.equal(s.dropped.internal, 0);
  assert.equal(peer.sockets.length, 1);
  assert.equal(s.connects, 1);
  await send(good);
  assert.equal([...store.keys()][0]?.rows, 150);
});

test('NaN and Infinity literals inside a frame are accepted as null', async (t) => {
  const { store, send, status } = await connected(t);
  const literal: Record<number, string> = { 0: 'NaN', 1: 'Infinity', 119: '-Infinity' };
  const msg = frameMessage('BTC/USDT', 0, 120, { ind: (i) => (i in literal ? `@${literal[i]}@` : i / 2) });
  await send(msg.replace(/\\"@(-?\w+)@\\"/g, '$1')); // the placeholders' quotes are escaped in the outer text
  assert.equal(status().dropped.frame, 0);
  const ind = column(store, 'BTC/USDT', 'ind');
  assert.deepEqual([ind[0], ind[1], ind[2], ind[3], ind[119]], [null, null, 1, 1.5, null]);
});

test('repeated garbage is logged at growing intervals, and counted every time', async (t) => {
  const { send, status, lines } = await connected(t);
  for (let i = 0; i < 10; i++) await send('{"type":"analyzed_df","data":"nope"}');
  assert.equal(status().dropped.invalid, 10);
  const errors = lines.filter((l) => l.startsWith('<3>'));
  assert.equal(errors.length, 4); // 1st, 2nd, 4th, 8th
  assert.match(errors[3]!, /\(seen 8 times\)$/);
});

test('first contact with a short frame asks for 1500 candles of that pair; a gap asks for exactly the missing candles', async (t) => {
  const { send, status, store, lastRequest } = await connected(t);
  // nothing held, 3 rows: freqtrade asks for 1500
  await send(frameMessage('ETH/USDT', 10, 3));
  assert.equal(await lastRequest(4), '{"type":"analyzed_df","data":{"limit":1500,"pair":"ETH/USDT"}}');
  // a full frame 0..199 is held; then candle 203 arrives: d = 4 candles -> int(4) + 1 = 5
  await send(frameMessage('BTC/USDT', 0, 200), frameMessage('BTC/USDT', 203, 1));
  assert.equal(await lastRequest(5), '{"type":"analyzed_df","data":{"limit":5,"pair":"BTC/USDT"}}');
  assert.equal(status().re_requests, 2);
  // the reply (the last 5 candles) closes the gap
  await send(frameMessage('BTC/USDT', 199, 5));
  const dates = column(store, 'BTC/USDT', 'date');
  assert.equal(dates.length, 204);
  assert.equal(dates.at(-1), T0 + 203 * CANDLE);
  // a gap of 150 candles: 1500, at once (the answered request ended the backoff)
  await send(frameMessage('BTC/USDT', 354, 1));
  assert.equal(await lastRequest(6), '{"type":"analyzed_df","data":{"limit":1500,"pair":"BTC/USDT"}}');
  assert.equal(status().re_requests, 3);
});

test('on reconnect the store forgets outstanding requests: the gap is asked for again on the new connection', async (t) => {
  const { send, status, peer, lastRequest } = await connected(t);
  await send(frameMessage('BTC/USDT', 0, 200), frameMessage('BTC/USDT', 203, 1));
  assert.equal(status().re_requests, 1);
  await send(frameMessage('BTC/USDT', 204, 1)); // request outstanding: held back, not asked again
  assert.equal(status().re_requests, 1);
  peer.latest().close(1012);
  await until(() => peer.received.length === 7, 'reconnect'); // 3 + 1 + 3
  await send(frameMessage('BTC/USDT', 205, 1));
  assert.equal(status().re_requests, 2);
  assert.equal(await lastRequest(8), '{"type":"analyzed_df","data":{"limit":7,"pair":"BTC/USDT"}}');
});

test('remove_entry_exit_signals zeroes signals and nulls tags before the store, adding missing columns', async (t) => {
  const { send, store } = await connected(t, { remove_entry_exit_signals: true });
  await send(frameMessage('BTC/USDT', 0, 120, { enter_long: () => 1, enter_tag: () => 'buy_signal' }));
  assert.ok(column(store, 'BTC/USDT', 'enter_long').every((v) => v === 0));
  assert.ok(column(store, 'BTC/USDT', 'enter_tag').every((v) => v === null));
  for (const name of ['exit_long', 'enter_short', 'exit_short']) assert.ok(column(store, 'BTC/USDT', name).every((v) => v === 0), name);
  assert.ok(column(store, 'BTC/USDT', 'exit_tag').every((v) => v === null));
});

test('without remove_entry_exit_signals the signals are kept', async (t) => {
  const { send, store } = await connected(t);
  await send(frameMessage('BTC/USDT', 0, 120, { enter_long: (i) => i % 2, enter_tag: (i) => (i % 2 ? 'x' : null) }));
  assert.deepEqual(column(store, 'BTC/USDT', 'enter_long').slice(0, 4), [0, 1, 0, 1]);
  assert.deepEqual(column(store, 'BTC/USDT', 'enter_tag').slice(0, 4), [null, 'x', null, 'x']);
});

test('the projection of store.columns keeps only the listed columns besides date and OHLCV', async (t) => {
  const { send, store } = await connected(t, {}, { p1: ['enter_long'] });
  await send(frameMessage('BTC/USDT', 0, 120, { enter_long: () => 1, other: () => 2 }));
  const df = store.producerDf('BTC/USDT', '5m', 'spot', 'p1')!;
  assert.deepEqual(df.table.schema.fields.map((f) => f.name), ['date', 'open', 'high', 'low', 'close', 'volume', 'enter_long']);
});

test('several producers at once, each with its own requests, frames and counters', async (t) => {
  const a = await peerFor(t);
  const b = await peerFor(t, true);
  const { consumer, store } = consumerFor(t, settings([a.port, b.port]), {}, { compression: true });
  await consumer.start();
  await until(() => a.received.length === 3 && b.received.length === 3, 'initial requests on both');
  a.latest().send(frameMessage('BTC/USDT', 0, 150));
  b.latest().send(frameMessage('BTC/USDT', 0, 120));
  b.latest().send(frameMessage('ETH/USDT', 0, 110));
  await until(() => [...store.keys()].length === 3, 'three keys');
  assert.equal(store.producerDf('BTC/USDT', '5m', 'spot', 'p1')!.table.numRows, 150);
  assert.equal(store.producerDf('BTC/USDT', '5m', 'spot', 'p2')!.table.numRows, 120);
  const [sa, sb] = consumer.status();
  assert.equal(sa!.name, 'p1');
  assert.ok(consumer.isConnected('p1') && consumer.isConnected('p2') && !consumer.isConnected('p3'));
  assert.equal(sa!.messages.analyzed_df, 1);
  assert.equal(sb!.messages.analyzed_df, 2);
  assert.ok(b.latest().extensions.includes('permessage-deflate'));
});

test('connected, disconnected and refused events', async (t) => {
  const peer = await peerFor(t);
  const { consumer, events, problems } = consumerFor(t, settings(peer.port, { sleep_time: 60 }));
  await consumer.start();
  await until(() => peer.received.length === 3, 'initial requests');
  peer.token = 'changed';
  peer.latest().close(1001);
  await until(() => events.length === 4, 'events');
  assert.deepEqual(events, [
    { producer: 'p1', state: 'connecting', error: null },
    { producer: 'p1', state: 'connected', error: null },
    { producer: 'p1', state: 'connecting', error: 'closed' },
    { producer: 'p1', state: 'refused', error: 'refused' },
  ]);
  assert.equal(consumer.status()[0]!.state, 'refused');
  assert.equal(consumer.status()[0]!.last_error?.message, 'refused: token rejected by producer p1');
  assert.equal(consumer.isConnected('p1'), false);
  assert.deepEqual(problems.list(), [{ code: 'token-refused', text: 'token refused by producer p1' }]);
});

test('a listener that throws does not stop ingest', async (t) => {
  const { bus, send, store, listenerErrors } = await connected(t);
  bus.on('frame-stored', () => {
    throw new Error('broken LED');
  });
  await send(frameMessage('BTC/USDT', 0, 120), frameMessage('BTC/USDT', 120, 1));
  assert.equal([...store.keys()][0]!.rows, 121);
  assert.deepEqual(listenerErrors, ['a listener of "frame-stored" events failed: broken LED', 'a listener of "frame-stored" events failed: broken LED']);
});

test('disabled: start connects to nothing; status lists the producers as stopped', async (t) => {
  const peer = await peerFor(t);
  const { consumer } = consumerFor(t, settings(peer.port, { enabled: false }));
  await consumer.start();
  // A connection would have been begun inside start() (the socket is opened synchronously): none was.
  assert.equal(peer.sockets.length, 0);
  assert.deepEqual(consumer.status().map((s) => [s.name, s.state]), [['p1', 'stopped']]);
});
