import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { GARBAGE_KINDS, startDemoProducer, type DemoProducer, type DemoProducerOptions } from '../../src/demo/index.js';
import { analyzedDf, TestClient } from './client.js';
import { until } from '../helpers/until.js';

const TOKEN = 'demo-secret';
const PAIRS = ['BTC/USDT', 'ETH/USDT'];
const TF = 300_000;
const LAST = 1_729_761_900_000;

async function withProducer(extra: Partial<DemoProducerOptions>, body: (p: DemoProducer) => Promise<void>): Promise<void> {
  const p = await startDemoProducer({
    token: TOKEN,
    pairs: PAIRS,
    history: 200,
    candleIntervalMs: 0,
    sendThrottleMs: 0,
    deflate: false,
    lastCandleMs: LAST,
    ...extra,
  });
  try {
    await body(p);
  } finally {
    await p.stop();
  }
}

async function subscribed(p: DemoProducer): Promise<TestClient> {
  const c = await TestClient.connect(`${p.url}?token=${TOKEN}`);
  c.send({ type: 'subscribe', data: ['whitelist', 'analyzed_df'] });
  c.send({ type: 'whitelist' });
  await c.waitFor(1);
  c.messages.length = 0;
  return c;
}

test('dropCandles: the next n candles are not broadcast, so the consumer sees a gap', async () => {
  await withProducer({}, async (p) => {
    const c = await subscribed(p);
    p.faults.dropCandles(2, 'BTC/USDT');
    p.tick(3);
    const msgs = (await c.waitFor(4)).map(analyzedDf);
    assert.deepEqual(
      msgs.map((m) => [m.key[0], m.frame.data[0]![0]]),
      [['ETH/USDT', LAST + TF], ['ETH/USDT', LAST + 2 * TF], ['BTC/USDT', LAST + 3 * TF], ['ETH/USDT', LAST + 3 * TF]],
    );
    c.messages.length = 0;
    p.faults.dropCandles(1);
    p.tick(2);
    assert.deepEqual((await c.waitFor(2)).map((m) => analyzedDf(m).frame.data[0]![0]), [LAST + 5 * TF, LAST + 5 * TF]);
    c.close();
  });
});

test('garbage: each kind arrives as described, to every connection', async () => {
  await withProducer({ columns: 24 }, async (p) => {
    const c = await subscribed(p);
    const quiet = await TestClient.connect(`${p.url}?token=${TOKEN}`); // not subscribed: gets garbage all the same
    for (const kind of GARBAGE_KINDS) {
      assert.equal(p.faults.garbage(kind, { pair: 'ETH/USDT', bytes: 2_000_000 }), 2, kind);
    }
    const msgs = await c.waitFor(GARBAGE_KINDS.length);
    await quiet.waitFor(GARBAGE_KINDS.length);
    const by = new Map(GARBAGE_KINDS.map((k, i) => [k, msgs[i]!]));
    const inner = (kind: (typeof GARBAGE_KINDS)[number]): string =>
      (JSON.parse(by.get(kind)!.text) as { data: { df: { __value__: string } } }).data.df.__value__;

    assert.throws(() => JSON.parse(by.get('not_json')!.text));
    assert.ok(by.get('not_json')!.text.startsWith('{"type":"analyzed_df","data":{"key":["ETH/USDT"'));
    assert.equal((by.get('wrong_shape')!.data as { key: unknown }).key, 'ETH/USDT');
    assert.equal(by.get('unknown_type')!.type, 'bogus_type');
    assert.equal(by.get('empty_data')!.text, '{"type":"whitelist","data":[]}');

    const nan = inner('nan_literals');
    assert.match(nan, /,NaN,Infinity,-Infinity,/);
    const nanRow = JSON.parse(nan.replace(/-?Infinity|NaN/g, 'null')) as { columns: string[]; data: unknown[][] };
    assert.equal(nanRow.data[0]!.length, nanRow.columns.length);
    assert.deepEqual(nanRow.data[0]!.slice(6, 9), [null, null, null]);

    const ragged = JSON.parse(inner('ragged_rows')) as { columns: string[]; data: unknown[][] };
    assert.equal(ragged.columns.length, 24);
    assert.equal(ragged.data[0]!.length, 25);

    const depth = (s: string): number => Math.max(...s.split('').reduce((acc, ch) => {
      acc.push((acc.at(-1) ?? 0) + (ch === '[' ? 1 : ch === ']' ? -1 : 0));
      return acc;
    }, [] as number[]));
    assert.ok(depth(by.get('deep_nesting')!.text) >= 10_000);
    assert.ok(depth(inner('deep_nesting_frame')) >= 10_000);

    const big = by.get('oversize')!;
    assert.ok(big.text.length > 2_000_000);
    const bigRow = analyzedDf(big).frame;
    assert.equal(bigRow.data[0]![bigRow.columns.indexOf('exit_tag')], 'x'.repeat(2_000_000));
    c.close();
    quiet.close();
  });
});

test('halfOpen: the connection stays up but answers nothing, pings included; new connections work', async () => {
  await withProducer({}, async (p) => {
    const c = await subscribed(p);
    assert.equal(await c.pong(2000), true);
    p.faults.halfOpen();
    p.tick();
    c.send({ type: 'whitelist' });
    assert.equal(await c.pong(300), false);
    assert.deepEqual(c.messages, []);
    assert.equal(p.clients(), 1);
    const fresh = await subscribed(p);
    p.tick();
    await fresh.waitFor(2);
    assert.deepEqual(c.messages, []);
    c.close();
    fresh.close();
  });
});

test('terminate: every connection drops without a close frame (1006)', async () => {
  await withProducer({}, async (p) => {
    const a = await subscribed(p);
    const b = await subscribed(p);
    p.faults.terminate();
    assert.equal(await a.waitClosed(), 1006);
    assert.equal(await b.waitClosed(), 1006);
    await until(() => p.clients() === 0);
  });
});

test('restart: connections drop, the port refuses while down, then frames come back with the new columns', async () => {
  await withProducer({ columns: 30 }, async (p) => {
    const c = await subscribed(p);
    const port = p.port;
    const restarting = p.faults.restart({ columns: 22, downMs: 300 });
    assert.equal(await c.waitClosed(), 1006);
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${p.url}?token=${TOKEN}`);
      ws.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      ws.on('open', () => resolve('open'));
    });
    assert.equal(refused, 'ECONNREFUSED');
    await restarting;
    assert.equal(p.port, port);
    const again = await subscribed(p);
    again.send({ type: 'analyzed_df', data: { limit: 1500, pair: 'BTC/USDT' } });
    const { frame } = analyzedDf((await again.waitFor(1))[0]!);
    assert.equal(frame.columns.length, 22);
    assert.equal(frame.data.length, 200);
    assert.equal(frame.data[0]![frame.columns.indexOf('rsi')], null, 'analyzed afresh: warm-up on top');
    assert.equal(frame.data.at(-1)![0], LAST);
    assert.equal(p.frame('BTC/USDT')!.columns.length, 21);
    again.close();
  });
});

test('shortHistory: replies hold at most that many candles until switched off', async () => {
  await withProducer({}, async (p) => {
    const c = await subscribed(p);
    p.faults.shortHistory(50);
    c.send({ type: 'analyzed_df', data: { limit: 1500, pair: 'BTC/USDT' } });
    c.send({ type: 'analyzed_df', data: { limit: 20, pair: 'BTC/USDT' } });
    const [short, shorter] = (await c.waitFor(2)).map(analyzedDf);
    assert.equal(short!.frame.data.length, 50);
    assert.equal(short!.frame.data.at(-1)![0], LAST);
    assert.equal(shorter!.frame.data.length, 20);
    p.faults.shortHistory(null);
    c.send({ type: 'analyzed_df', data: { limit: 1500, pair: 'BTC/USDT' } });
    assert.equal(analyzedDf((await c.waitFor(3))[2]!).frame.data.length, 200);
    c.close();
  });
});

test('a consumer that stops reading is disconnected once a broadcast send times out', async () => {
  const pairs = Array.from({ length: 16 }, (_, i) => `C${i}/USDT`);
  await withProducer({ pairs, history: 1500, columns: 20, sendTimeoutMs: 300 }, async (p) => {
    const c = await subscribed(p);
    c.ws.pause(); // stop reading: the kernel buffers fill, then sends stall
    c.send({ type: 'analyzed_df', data: { limit: 1500, pair: null } }); // ~5 MB of replies (never timed out)
    await until(() => p.received().length === 3);
    p.tick();
    await until(() => p.clients() === 0);
    c.close();
  });
});
