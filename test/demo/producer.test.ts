import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoProducer, type DemoProducer, type DemoProducerOptions } from '../../src/demo/index.js';
import { formatFloat } from '../../src/demo/pandas-json.js';
import { analyzedDf, TestClient, type Message } from './client.js';
import { until } from '../helpers/until.js';

const TOKEN = 'demo-secret';
const PAIRS = ['BTC/USDT', 'ETH/USDT', 'XRP/USDT'];
const TF = 300_000;
const LAST = 1_729_761_900_000;

async function producer(extra: Partial<DemoProducerOptions> = {}): Promise<DemoProducer> {
  return startDemoProducer({
    token: TOKEN,
    pairs: PAIRS,
    history: 300,
    candleIntervalMs: 0,
    sendThrottleMs: 0,
    deflate: false,
    lastCandleMs: LAST,
    ...extra,
  });
}

async function withProducer(extra: Partial<DemoProducerOptions>, body: (p: DemoProducer) => Promise<void>): Promise<void> {
  const p = await producer(extra);
  try {
    await body(p);
  } finally {
    await p.stop();
  }
}

const url = (p: DemoProducer, token = TOKEN): string => `${p.url}?token=${encodeURIComponent(token)}`;

/**
 * Messages that arrived up to the reply to a whitelist request sent now. The first broadcast of a tick is written
 * synchronously, so a broadcast that should not exist shows up here; use waitFor() to count expected ones.
 */
async function barrier(c: TestClient): Promise<Message[]> {
  const before = c.messages.length;
  c.send({ type: 'whitelist' });
  await until(() => c.messages.slice(before).some((m) => m.type === 'whitelist'));
  const all = c.messages.splice(before);
  return all.filter((m) => m.type !== 'whitelist');
}

test('the handshake is refused with HTTP 403 for a wrong, missing or refused token, as freqtrade does', async () => {
  await withProducer({ token: ['first', TOKEN] }, async (p) => {
    assert.equal(await TestClient.handshakeStatus(url(p, 'wrong')), 403);
    assert.equal(await TestClient.handshakeStatus(p.url), 403);
    assert.equal(await TestClient.handshakeStatus(url(p, '')), 403);
    assert.equal(await TestClient.handshakeStatus(url(p, 'first')), 101);
    assert.equal(await TestClient.handshakeStatus(url(p).replace('/message/ws', '/message/wx')), 403);
    p.faults.refuse(true);
    assert.equal(await TestClient.handshakeStatus(url(p)), 403);
    p.faults.refuse(false);
    assert.equal(await TestClient.handshakeStatus(url(p)), 101);
  });
});

test('the initial requests get the whitelist, then one frame of min(limit, 1500) candles per pair in order', async () => {
  await withProducer({ history: 1600 }, async (p) => {
    const c = await TestClient.connect(url(p));
    c.sendInitialRequests(2000);
    const msgs = await c.waitFor(1 + PAIRS.length);
    assert.deepEqual(msgs[0]!.data, PAIRS);
    assert.equal(msgs[0]!.text, '{"type":"whitelist","data":["BTC/USDT","ETH/USDT","XRP/USDT"]}');
    msgs.slice(1).forEach((m, i) => {
      assert.equal(m.type, 'analyzed_df');
      const { key, la, frame } = analyzedDf(m);
      assert.deepEqual(key, [PAIRS[i], '5m', 'spot']);
      assert.match(la, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
      assert.equal(frame.data.length, 1500);
      assert.deepEqual(frame.index.slice(0, 2), [100, 101]); // iloc[-1500:] of 1600 rows
      assert.equal(frame.data.at(-1)![0], LAST);
      assert.equal(frame.columns.length, 30);
    });
    assert.deepEqual(p.received(), [
      { type: 'subscribe', data: ['whitelist', 'analyzed_df'] },
      { type: 'whitelist', data: undefined },
      { type: 'analyzed_df', data: { limit: 2000, pair: null } },
    ]);
    c.close();
  });
});

test('analyzed_df for one pair: the last `limit` rows; no limit = everything; unknown pair = empty frame, epoch la', async () => {
  await withProducer({}, async (p) => {
    const c = await TestClient.connect(url(p));
    c.send({ type: 'analyzed_df', data: { limit: 4, pair: 'ETH/USDT' } });
    c.send({ type: 'analyzed_df', data: { pair: 'XRP/USDT' } }); // limit defaults to 1500
    c.send({ type: 'analyzed_df', data: {} }); // freqtrade: no limit, every pair
    c.send({ type: 'analyzed_df', data: { limit: -298, pair: 'BTC/USDT' } }); // Python's iloc[298:]
    c.send({ type: 'analyzed_df', data: { limit: 5, pair: 'DOGE/USDT' } });
    const msgs = (await c.waitFor(7)).map(analyzedDf);
    assert.deepEqual(msgs[0]!.key, ['ETH/USDT', '5m', 'spot']);
    assert.deepEqual(msgs[0]!.frame.index, [296, 297, 298, 299]);
    assert.deepEqual(msgs[0]!.frame.data.map((r) => r[0]), [LAST - 3 * TF, LAST - 2 * TF, LAST - TF, LAST]);
    assert.equal(msgs[1]!.frame.data.length, 300);
    assert.deepEqual(msgs.slice(2, 5).map((m) => [m.key[0], m.frame.data.length]), PAIRS.map((x) => [x, 300]));
    assert.deepEqual(msgs[5]!.frame.index, [298, 299]);
    assert.equal(
      c.messages[6]!.text,
      '{"type":"analyzed_df","data":{"key":["DOGE/USDT","5m","spot"],"df":{"__type__":"dataframe",' +
        '"__value__":"{\\"columns\\":[],\\"index\\":[],\\"data\\":[]}"},"la":"1970-01-01T00:00:00+00:00"}}',
    );
    c.close();
  });
});

test('requests freqtrade cannot serve: exception reply, unknown types ignored, non-JSON closes the connection', async () => {
  await withProducer({}, async (p) => {
    const c = await TestClient.connect(url(p));
    c.send({ type: 'analyzed_df', data: { limit: 'many', pair: null } });
    c.send({ type: 'analyzed_df', data: [1, 2] });
    c.send({ type: 'no_such_request' });
    c.send([1, 2, 3]);
    const msgs = await barrier(c);
    assert.deepEqual(msgs.map((m) => m.text), Array(2).fill('{"type":"exception","data":"Error processing request"}'));
    c.send('this is not json');
    assert.equal(await c.waitClosed(), 1000);
    assert.deepEqual(p.received().at(-1), { type: '', data: 'this is not json' });
  });
});

test('broadcasts go only to subscribers, and only for the subscribed types', async () => {
  await withProducer({}, async (p) => {
    const c = await TestClient.connect(url(p));
    p.tick();
    assert.deepEqual(await barrier(c), [], 'not subscribed yet');
    c.send({ type: 'subscribe', data: ['analyzed_df', 'no_such_topic'] });
    await barrier(c);
    p.tick();
    assert.deepEqual(await barrier(c), [], 'a subscription with an unknown topic is not applied');
    c.send({ type: 'subscribe', data: ['analyzed_df'] });
    await barrier(c);
    p.tick();
    await until(() => c.messages.filter((m) => m.type === 'analyzed_df').length === 3);
    assert.deepEqual(c.messages.map((m) => m.type), ['analyzed_df', 'analyzed_df', 'analyzed_df'], 'no new_candle');
    c.messages.length = 0;
    c.send({ type: 'subscribe', data: ['new_candle', 'analyzed_df'] });
    await barrier(c);
    p.tick();
    await c.waitFor(6);
    assert.deepEqual(c.messages.map((m) => m.type), [
      'analyzed_df', 'new_candle', 'analyzed_df', 'new_candle', 'analyzed_df', 'new_candle',
    ]);
    assert.deepEqual(c.messages[1]!.text, '{"type":"new_candle","data":["BTC/USDT","5m","spot"]}');
    c.send({ type: 'subscribe', data: [] }); // empty: nothing changes
    c.send({ type: 'subscribe', data: ['status'] });
    c.messages.length = 0;
    await barrier(c);
    p.tick();
    assert.deepEqual(await barrier(c), []);
    c.close();
  });
});

test('a tick broadcasts each pair\'s new last row; reanalyze re-sends the same candle with new values', async () => {
  await withProducer({}, async (p) => {
    const c = await TestClient.connect(url(p));
    c.send({ type: 'subscribe', data: ['analyzed_df'] });
    await barrier(c);
    p.tick();
    const [row] = (await c.waitFor(3)).map(analyzedDf);
    assert.deepEqual(row!.frame.index, [299]);
    assert.equal(row!.frame.data.length, 1);
    assert.equal(row!.frame.data[0]![0], LAST + TF);
    const own = p.frame('BTC/USDT')!;
    assert.deepEqual(row!.frame.data[0], [own.dates.at(-1), ...own.values.map((v) => v.at(-1))]);
    assert.equal(row!.la, own.la);
    c.messages.length = 0;
    p.reanalyze();
    const [again] = (await c.waitFor(3)).map(analyzedDf);
    assert.equal(again!.frame.data[0]![0], LAST + TF);
    assert.notDeepEqual(again!.frame.data[0], row!.frame.data[0]);
    c.close();
  });
});

test('the accelerated clock makes candles and re-analyses on its own', async () => {
  await withProducer({ candleIntervalMs: 100, analyzeIntervalMs: 30, pairs: ['BTC/USDT'] }, async (p) => {
    const c = await TestClient.connect(url(p));
    c.send({ type: 'subscribe', data: ['analyzed_df'] });
    await until(() => new Set(c.messages.map((m) => analyzedDf(m).frame.data[0]![0])).size >= 3);
    const dates = c.messages.map((m) => analyzedDf(m).frame.data[0]![0] as number);
    assert.ok(dates.every((d, i) => i === 0 || d === dates[i - 1] || d === dates[i - 1]! + TF), 'one candle at a time');
    assert.ok(dates.some((d, i) => i > 0 && d === dates[i - 1]), 'the same candle re-sent between candles');
    c.close();
  });
});

test('setPairs broadcasts the new whitelist; new pairs get a full history, dropped ones stop updating', async () => {
  await withProducer({}, async (p) => {
    const c = await TestClient.connect(url(p));
    c.send({ type: 'subscribe', data: ['whitelist', 'analyzed_df'] });
    await barrier(c);
    p.tick();
    await c.waitFor(3);
    c.messages.length = 0;
    p.setPairs(['BTC/USDT', 'SOL/USDT']);
    p.tick();
    const [wl, ...rows] = await c.waitFor(3);
    assert.equal(wl!.text, '{"type":"whitelist","data":["BTC/USDT","SOL/USDT"]}');
    assert.deepEqual(rows.map((m) => [analyzedDf(m).key[0], analyzedDf(m).frame.data[0]![0]]), [
      ['BTC/USDT', LAST + 2 * TF],
      ['SOL/USDT', LAST + 2 * TF],
    ]);
    assert.equal(p.frame('SOL/USDT')!.dates.length, 300);
    assert.equal(p.frame('ETH/USDT')!.dates.at(-1), LAST + TF, 'off the whitelist: no new candles, still served');
    assert.throws(() => p.setPairs(['A/B', 'A/B']), /pairs must not repeat/);
    c.close();
  });
});

test('replaying the initial reply plus every broadcast gives exactly the producer\'s own frame', async () => {
  await withProducer({ signalStyle: 'loc', columns: 40 }, async (p) => {
    const c = await TestClient.connect(url(p));
    c.sendInitialRequests();
    await c.waitFor(4);
    for (let i = 0; i < 30; i++) {
      p.tick();
      if (i % 3 === 0) p.reanalyze();
    }
    await c.waitFor(4 + 3 * 40);
    const held = new Map<string, unknown[][]>();
    for (const m of c.messages.slice(1)) {
      const { key, frame } = analyzedDf(m);
      const rows = held.get(key[0]) ?? [];
      const first = frame.data[0]![0] as number;
      held.set(key[0], [...rows.filter((r) => (r[0] as number) < first), ...frame.data].slice(-300));
    }
    for (const pair of PAIRS) {
      const own = p.frame(pair)!;
      const rows = held.get(pair)!;
      assert.deepEqual(rows.map((r) => r[0]), own.dates);
      own.columns.forEach((_, ci) => assert.deepEqual(rows.map((r) => r[ci + 1]), own.values[ci], `${pair} ${own.columns[ci]}`));
    }
    c.close();
  });
});

test('frames look analyzed: pandas float text, warm-up nulls on top, signals now and then, both signal styles', async () => {
  for (const style of ['int', 'loc'] as const) {
    await withProducer({ history: 1500, columns: 28, signalStyle: style, pairs: ['BTC/USDT'] }, async (p) => {
      const c = await TestClient.connect(url(p));
      c.send({ type: 'analyzed_df', data: { limit: 1500, pair: null } });
      const [m] = await c.waitFor(1);
      const inner = (m!.data as { df: { __value__: string } }).df.__value__;
      for (const tok of inner.match(/-?\d+\.\d+(e[+-]\d+)?/g)!) assert.equal(formatFloat(Number(tok)), tok);
      const { frame } = analyzedDf(m!);
      const col = (name: string): unknown[] => frame.data.map((r) => r[frame.columns.indexOf(name)]);
      assert.deepEqual(frame.columns.slice(0, 10), ['date', 'open', 'high', 'low', 'close', 'volume', 'rsi', 'tema', 'bb_lowerband', 'bb_middleband']);
      assert.equal(frame.columns.length, 28);
      assert.equal(col('rsi')[0], null);
      assert.equal(typeof col('rsi')[14], 'number');
      assert.equal(col('sma_50')[48], null);
      assert.equal(typeof col('sma_50')[49], 'number');
      const on = style === 'int' ? 1 : 1.0;
      const entries = col('enter_long').filter((v) => v === on).length;
      assert.ok(entries >= 3 && entries <= 100, `${entries} long entries in 1500 candles`);
      assert.ok(col('enter_long').every((v) => (style === 'int' ? v === 0 || v === 1 : v === 1 || v === null)));
      const tags = new Set(col('enter_tag'));
      assert.ok(tags.has(style === 'int' ? null : ''));
      assert.ok([...tags].some((t) => typeof t === 'string' && t.length > 0));
      c.close();
    });
  }
});

test('permessage-deflate is accepted when offered and switched on, like uvicorn', async () => {
  for (const deflate of [true, false]) {
    await withProducer({ deflate }, async (p) => {
      const c = await TestClient.connect(url(p), { deflate: true });
      assert.equal(c.ws.extensions.includes('permessage-deflate'), deflate);
      c.sendInitialRequests();
      await c.waitFor(4);
      c.close();
    });
  }
});

test('invalid options are refused with one clear message', async () => {
  await assert.rejects(producer({ columns: 19 }), /columns must be an integer from 20 to 40, got 19/);
  await assert.rejects(producer({ timeframe: '7x' }), /timeframe "7x" is not a freqtrade timeframe/);
  await assert.rejects(producer({ token: [] }), /token must be a non-empty string/);
  await assert.rejects(producer({ pairs: ['A/B', 'A/B'] }), /pairs must not repeat/);
  await assert.rejects(producer({ lastCandleMs: LAST + 1 }), /multiple of the timeframe/);
});
