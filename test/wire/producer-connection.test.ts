import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Config, ExternalMessageConsumerConfig, ProducerConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import { ProducerConnection, type ConnectionHandler } from '../../src/wire/producer-connection.js';
import { WsPeer, type PeerOptions } from './ws-peer.js';
import { until } from '../helpers/until.js';
import { VECTORS_DIR as VECTORS } from '../helpers/vectors.js';

const TOKEN = 'tök+en/with&odd=chars 1';

function vector(name: string): string {
  return readFileSync(`${VECTORS}/${name}.wire`, 'utf8');
}

function settings(over: Partial<ExternalMessageConsumerConfig> = {}): ExternalMessageConsumerConfig {
  return {
    enabled: true,
    producers: [],
    wait_timeout: 30,
    ping_timeout: 10,
    sleep_time: 0.05,
    remove_entry_exit_signals: false,
    initial_candle_limit: 1500,
    message_size_limit: 1,
    ...over,
  };
}

/** A connection to `port` with a recording handler and a log sink (debug level: every line is seen). */
function connection(
  t: TestContext,
  port: number,
  over: Partial<ExternalMessageConsumerConfig> = {},
  wire: Partial<Config['wire']> = {},
  producer: Partial<ProducerConfig> = {},
) {
  const lines: string[] = [];
  const events: string[] = [];
  const messages: string[] = [];
  let wasConnected = false;
  const handler: ConnectionHandler = {
    onState: (state, error) => {
      if (state === 'connected') events.push('open');
      else if (state === 'refused') events.push(`refused: ${error?.message}`);
      else if (wasConnected && error !== null) events.push(`disconnect: ${error.message}`);
      wasConnected = state === 'connected';
    },
    onMessage: (msg) => messages.push(msg.toString()),
  };
  const p: ProducerConfig = { name: 'p1', host: '127.0.0.1', port, secure: false, ws_token: TOKEN, ...producer };
  const conn = new ProducerConnection(
    p,
    settings(over),
    { compression: false, max_backoff: 0.2, ...wire },
    handler,
    createLogger('debug', (l) => lines.push(l)),
  );
  t.after(() => conn.stop());
  return { conn, lines, events, messages };
}

function assertNoToken(lines: readonly string[]): void {
  for (const l of lines) {
    assert.ok(!l.includes(TOKEN) && !l.includes(encodeURIComponent(TOKEN)) && !l.includes('token='), l);
  }
}

/** A port nobody listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function peerFor(t: TestContext, opts: PeerOptions): Promise<WsPeer> {
  const peer = await WsPeer.start(opts);
  t.after(() => peer.kill());
  return peer;
}

const INITIAL = ['request_subscribe', 'request_whitelist', 'request_analyzed_df_initial'].map(vector);

test('sends the three initial requests in order, byte-identical to freqtrade, with the token URL-encoded', async (t) => {
  const peer = await peerFor(t, { token: TOKEN });
  const { conn, lines, events } = connection(t, peer.port);
  await conn.start();
  await until(() => peer.received.length === 3, 'initial requests');
  assert.deepEqual(peer.received, INITIAL);
  assert.deepEqual(events, ['open']);
  assert.equal(conn.status().state, 'connected');
  assert.equal(conn.status().connects, 1);
  assert.ok(lines.some((l) => l.includes(`connected to ws://127.0.0.1:${peer.port}/api/v1/message/ws`)));
  assertNoToken(lines);
  assert.ok(!JSON.stringify(conn.status()).includes(TOKEN));
});

test('the initial analyzed_df request asks for initial_candle_limit candles', async (t) => {
  const peer = await peerFor(t, { token: TOKEN });
  const { conn } = connection(t, peer.port, { initial_candle_limit: 200 });
  await conn.start();
  await until(() => peer.received.length === 3, 'initial requests');
  assert.equal(peer.received[2], '{"type":"analyzed_df","data":{"limit":200,"pair":null}}');
});

test('hands messages over and counts bytes and time', async (t) => {
  const peer = await peerFor(t, { token: TOKEN });
  const { conn, messages } = connection(t, peer.port);
  await conn.start();
  await until(() => peer.sockets.length === 1, 'connection');
  peer.latest().send(vector('whitelist'));
  peer.latest().send(vector('new_candle'));
  await until(() => messages.length === 2, 'messages');
  assert.deepEqual(messages, [vector('whitelist'), vector('new_candle')]);
  const s = conn.status();
  assert.equal(s.bytes, Buffer.byteLength(vector('whitelist')) + Buffer.byteLength(vector('new_candle')));
  assert.ok(s.last_message_at !== null && Math.abs(s.last_message_at - Date.now()) < 5000);
});

test('reconnects immediately when an open connection closes, and sends the requests again', async (t) => {
  const peer = await peerFor(t, { token: TOKEN });
  // sleep_time is long: a reconnect that waited for it would time the test out
  const { conn, events } = connection(t, peer.port, { sleep_time: 60 });
  await conn.start();
  await until(() => peer.received.length === 3, 'initial requests');
  peer.latest().close(1001, 'shutting down');
  await until(() => peer.received.length === 6, 'requests after reconnect', 3000);
  assert.deepEqual(peer.received, [...INITIAL, ...INITIAL]);
  assert.deepEqual(events, ['open', 'disconnect: producer going away (1001)', 'open']);
  assert.equal(conn.status().connects, 2);
});

test('a producer killed and restarted: backoff while it is down, then reconnect and the initial requests again', async (t) => {
  let peer = await peerFor(t, { token: TOKEN });
  const port = peer.port;
  const { conn, lines, events } = connection(t, port);
  await conn.start();
  await until(() => peer.received.length === 3, 'initial requests');
  await peer.kill();
  await until(() => conn.status().failed_attempts >= 3, 'failed attempts while down');
  assert.equal(conn.status().state, 'backoff');
  assert.equal(conn.status().last_error?.code, 'network');
  assert.match(conn.status().last_error?.message ?? '', /connection refused/);
  peer = await peerFor(t, { token: TOKEN, port });
  await until(() => peer.received.length === 3, 'requests after restart', 3000);
  assert.deepEqual(peer.received, INITIAL);
  assert.equal(conn.status().state, 'connected');
  assert.equal(conn.status().failed_attempts, 0);
  assert.equal(events.filter((e) => e === 'open').length, 2);
  assert.ok(lines.some((l) => /connected to .* after \d+ failed attempts/.test(l)));
  assertNoToken(lines);
});

test('failed attempts back off from sleep_time up to max_backoff; repeats are logged at growing intervals', async (t) => {
  const port = await closedPort();
  const { conn, lines } = connection(t, port, { sleep_time: 0.02 }, { max_backoff: 0.08 });
  await conn.start();
  await until(() => conn.status().failed_attempts >= 6, 'six failed attempts');
  await conn.stop();
  const waits = lines.filter((l) => l.includes('retrying in')).map((l) => /retrying in ([\d.]+) s/.exec(l)?.[1]);
  assert.deepEqual(waits.slice(0, 6), ['0.02', '0.04', '0.08', '0.08', '0.08', '0.08']);
  // attempts 1, 2 and 4 at warning level, the rest at debug
  const shown = lines.filter((l) => l.startsWith('<4>') && l.includes('cannot connect'));
  assert.equal(shown.length, 3, shown.join('\n'));
  assert.match(shown[0]!, /^<4>producer p1: cannot connect to ws:\/\/127\.0\.0\.1:\d+\/api\/v1\/message\/ws: connection refused \(ECONNREFUSED\); retrying in 0\.02 s$/);
  assert.match(shown[2]!, /\(seen 4 times\)$/);
  assert.equal(conn.status().state, 'stopped');
});

test('a wrong token is reported as refused, naming the producer and never the token; retried', async (t) => {
  const peer = await peerFor(t, { token: 'the-right-one' });
  const { conn, lines, events } = connection(t, peer.port);
  await conn.start();
  await until(() => conn.status().failed_attempts >= 2, 'two refused attempts');
  assert.equal(conn.status().state, 'refused');
  assert.equal(conn.status().last_error?.code, 'refused');
  assert.equal(conn.status().last_error?.message, 'refused: token rejected by producer p1');
  assert.equal(events[0], 'refused: refused: token rejected by producer p1');
  assert.ok(lines.some((l) => l.startsWith('<4>refused: token rejected by producer p1 (HTTP 403 on ws://127.0.0.1:')));
  assert.equal(peer.refusedTokens[0], TOKEN, 'the server got the token intact through URL encoding');
  assertNoToken(lines);
  // the producer's token is changed to ours: the next attempt gets in
  peer.token = TOKEN;
  await until(() => conn.status().state === 'connected', 'connected with the right token', 3000);
});

test('another HTTP status on the upgrade is a failed attempt naming the status', async (t) => {
  const peer = await peerFor(t, { token: TOKEN });
  peer.token = 'another';
  peer.refuseStatus = 404;
  const { conn } = connection(t, peer.port);
  await conn.start();
  await until(() => conn.status().failed_attempts >= 1, 'failed attempt');
  assert.deepEqual(conn.status().last_error, { code: 'http-status', message: 'HTTP 404 instead of a WebSocket upgrade' });
  assert.equal(conn.status().state, 'backoff');
});

test('an invalid host is a configuration error: logged once, never retried', async (t) => {
  for (const host of ['bad host', 'a/b', '', 'user@host']) {
    const { conn, lines } = connection(t, 1234, {}, {}, { host });
    await conn.start();
    assert.equal(conn.status().state, 'stopped');
    assert.equal(conn.status().last_error?.code, 'invalid-address');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^<3>producer p1: host (is|contains) .*; not connecting/);
    assert.ok(host === '' || !lines[0]!.includes(host), 'the host is not echoed (a pasted URL may carry the token)');
    await conn.stop();
  }
});

test('an IPv6 literal host works', async (t) => {
  const { conn } = connection(t, 1, {}, {}, { host: '::1' });
  assert.equal(conn.address, 'ws://[::1]:1/api/v1/message/ws');
});

test('a half-open link (no pong) is dropped within wait_timeout + ping_timeout and reconnected', async (t) => {
  const peer = await peerFor(t, { token: TOKEN, autoPong: false });
  const { conn, events } = connection(t, peer.port, { wait_timeout: 0.2, ping_timeout: 0.2, sleep_time: 60 });
  await conn.start();
  await until(() => peer.sockets.length === 1 && conn.status().state === 'connected', 'connection');
  const t0 = Date.now();
  await until(() => events.length >= 2, 'disconnect', 5000);
  const dt = Date.now() - t0;
  assert.equal(events[1], 'disconnect: no message for 0.2 s and no pong within 0.2 s');
  // Timers never fire early, so only the lower bound is safe to assert on a loaded machine.
  assert.ok(dt >= 350, `dropped after ${dt} ms: too early`);
  assert.equal(peer.pings, 1, 'exactly one ping, after wait_timeout');
  // terminated, not closed politely: the server sees an abnormal closure
  await until(() => peer.closeCodes.length === 1, 'server side close');
  assert.equal(peer.closeCodes[0], 1006);
  await until(() => peer.sockets.length === 2, 'immediate reconnect', 3000);
});

test('a silent but alive producer is pinged after each wait_timeout and kept', async (t) => {
  const peer = await peerFor(t, { token: TOKEN });
  const { conn, events } = connection(t, peer.port, { wait_timeout: 0.1, ping_timeout: 0.2 });
  await conn.start();
  await until(() => peer.pings >= 4, 'four pings');
  assert.deepEqual(events, ['open']);
  assert.equal(peer.sockets.length, 1);
});

test('every message puts the ping off: the first ping comes wait_timeout after the last message', async (t) => {
  const peer = await peerFor(t, { token: TOKEN });
  const { conn, messages } = connection(t, peer.port, { wait_timeout: 0.15, ping_timeout: 5 });
  await conn.start();
  await until(() => peer.sockets.length === 1, 'connection');
  const ws = peer.latest();
  for (let i = 1; i <= 12; i++) {
    ws.send(vector('new_candle'));
    await until(() => messages.length === i, `message ${i}`);
  }
  const last = conn.status().last_message_at!;
  await until(() => peer.pings >= 1, 'the ping after the last message');
  // A lower bound only (timers never fire early): the ping was not due before wait_timeout had passed since the
  // last message, whatever the load did to the gaps between messages.
  assert.ok(peer.pingTimes[0]! - last >= 140, `ping ${peer.pingTimes[0]! - last} ms after the last message`);
});

for (const compression of [false, true]) {
  test(`a message over message_size_limit fails the connection with 1009 without being buffered (compression ${compression ? 'on' : 'off'})`, async (t) => {
    const peer = await peerFor(t, { token: TOKEN, perMessageDeflate: compression });
    const { conn, events, messages } = connection(t, peer.port, { message_size_limit: 1, sleep_time: 60 }, { compression });
    await conn.start();
    await until(() => peer.received.length === 3, 'initial requests');
    const big = Buffer.alloc(20 << 20, 'x'); // allocated before the baseline; ws sends it without copying
    global.gc?.();
    const base = process.memoryUsage();
    let peakExternal = 0;
    let peakRss = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakExternal = Math.max(peakExternal, m.arrayBuffers - base.arrayBuffers);
      peakRss = Math.max(peakRss, m.rss - base.rss);
    }, 2);
    peer.latest().send(big, { binary: false, compress: compression });
    await until(() => peer.received.length === 6, 'reconnect and requests again', 5000);
    clearInterval(sampler);
    assert.equal(peer.closeCodes[0], 1009);
    assert.equal(messages.length, 0);
    assert.equal(conn.status().last_error?.code, 'oversize');
    assert.equal(events[1], 'disconnect: a message exceeded message_size_limit (1 MB) (1009)');
    // 20 MB came in; none of it may have been held (the server's copy was allocated before the baseline)
    assert.ok(peakExternal < 4 << 20, `external memory grew by ${peakExternal >> 20} MB`);
    assert.ok(peakRss < 12 << 20, `RSS grew by ${peakRss >> 20} MB`);
  });
}

test('a message just under the limit is accepted', async (t) => {
  const peer = await peerFor(t, { token: TOKEN });
  const { conn, messages } = connection(t, peer.port, { message_size_limit: 1 });
  await conn.start();
  await until(() => peer.sockets.length === 1, 'connection');
  peer.latest().send('x'.repeat(1 << 20));
  await until(() => messages.length === 1, 'message');
  assert.equal(messages[0]!.length, 1 << 20);
});

test('compression is offered only when wire.compression is on', async (t) => {
  for (const compression of [true, false]) {
    const peer = await peerFor(t, { token: TOKEN, perMessageDeflate: true });
    const { conn, messages } = connection(t, peer.port, {}, { compression });
    await conn.start();
    await until(() => peer.received.length === 3, 'initial requests');
    assert.equal(peer.latest().extensions.includes('permessage-deflate'), compression);
    assert.deepEqual(peer.received, INITIAL);
    const frame = vector('analyzed_df_full_1500');
    peer.latest().send(frame);
    await until(() => messages.length === 1, 'frame');
    assert.equal(messages[0], frame);
  }
});

test('a producer that drops every connection at once is not reconnected to in a tight loop', async (t) => {
  const peer = await peerFor(t, { token: TOKEN });
  peer.server.on('connection', (ws) => ws.close(1011));
  const { conn, lines } = connection(t, peer.port, { sleep_time: 0.5 });
  await conn.start();
  await until(() => peer.sockets.length >= 2, 'second connection', 3000);
  await new Promise((r) => setTimeout(r, 250));
  // the first drop reconnects at once; the second, right after, waits sleep_time
  assert.equal(peer.sockets.length, 2);
  assert.equal(conn.status().state, 'backoff');
  assert.ok(lines.some((l) => l.endsWith('disconnected: producer error (1011); reconnecting now')));
  assert.ok(lines.some((l) => l.includes('disconnected: producer error (1011); reconnecting in 0.5 s')));
});

test('stop closes politely, is idempotent, and nothing reconnects afterwards', async (t) => {
  const peer = await peerFor(t, { token: TOKEN });
  const { conn, events } = connection(t, peer.port);
  await conn.start();
  await until(() => peer.received.length === 3, 'initial requests');
  await Promise.all([conn.stop(), conn.stop()]);
  await conn.stop();
  assert.equal(conn.status().state, 'stopped');
  await until(() => peer.closeCodes.length === 1, 'server side close');
  assert.equal(peer.closeCodes[0], 1000);
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(peer.sockets.length, 1);
  assert.deepEqual(events, ['open']);
  assert.equal(conn.send('{"type":"whitelist"}'), false);
});

test('stop while connecting or backing off ends at once', async (t) => {
  const port = await closedPort();
  const { conn } = connection(t, port, { sleep_time: 60 });
  await conn.start();
  await conn.stop(); // connecting
  assert.equal(conn.status().state, 'stopped');
  await conn.start();
  await until(() => conn.status().state === 'backoff', 'backoff');
  await conn.stop();
  assert.equal(conn.status().state, 'stopped');
});
