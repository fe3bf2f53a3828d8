import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvelope, type Envelope } from '../../src/wire/envelope.js';
import { FrameDecoder } from '../../src/wire/frame-decoder.js';

const env = (text: string | Buffer): Envelope => parseEnvelope(typeof text === 'string' ? Buffer.from(text) : text);

const FRAME = '{"columns":["date","close"],"index":[0],"data":[[1729761300000,1.5]]}';

/** An analyzed_df message; `data` members may be replaced or (undefined) removed. */
function adf(data: Record<string, unknown> = {}): string {
  const d: Record<string, unknown> = {
    key: ['BTC/USDT', '5m', 'spot'], df: { __type__: 'dataframe', __value__: FRAME }, la: '2024-10-24T09:29:03.123456+00:00',
    ...data,
  };
  for (const k of Object.keys(d)) if (d[k] === undefined) delete d[k];
  return JSON.stringify({ type: 'analyzed_df', data: d });
}

function kindOf(text: string | Buffer): string {
  return env(text).kind;
}

function reasonOf(text: string): string {
  const e = env(text);
  assert.ok(e.kind === 'invalid' || e.kind === 'undecodable', `${text.slice(0, 80)} -> ${e.kind}`);
  return e.reason;
}

test('not JSON is undecodable, with the byte where it stops being JSON', () => {
  assert.deepEqual(env(''), { kind: 'undecodable', reason: 'empty message' });
  assert.deepEqual(env('this is not json {"type":'), { kind: 'undecodable', reason: 'not JSON at byte 0' });
  assert.equal(reasonOf('{"type":"whitelist","data":["A"]'), 'not JSON at byte 32');
  for (const text of [
    '   ', '{', '{"type":"whitelist",}', '{"a":1}x', '[1,2', 'nul', '{"type":"whitelist","data":[01]}',
    '{"type":"whitelist","data":["a\u0001"]}', '{"type":"x\\q"}', '{"type":"status","data":NaN}', '{"type" "a"}',
    '{"type":"status","data":1.}', '{"type":"status","data":-}', '{"type":"status","data":"\\u12"}', "{'type':'status'}",
  ]) {
    assert.equal(kindOf(text), 'undecodable', text);
  }
});

test('10k-deep nesting is refused without overflowing the stack; moderate nesting is fine', () => {
  assert.match(reasonOf('['.repeat(10_000) + ']'.repeat(10_000)), /^nested deeper than 512 levels/);
  assert.equal(kindOf(`{"type":"status","data":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`), 'undecodable');
  assert.equal(kindOf(`{"type":"status","data":${'['.repeat(100)}1${']'.repeat(100)}}`), 'ignored');
});

test('JSON of the wrong shape is invalid', () => {
  assert.equal(reasonOf('[1,2,3]'), 'a message must be a JSON object');
  assert.equal(reasonOf('"whitelist"'), 'a message must be a JSON object');
  assert.equal(reasonOf('{}'), 'message has no type');
  assert.equal(reasonOf('{"data":["A"]}'), 'message has no type');
  assert.equal(reasonOf('{"type":5,"data":["A"]}'), 'message type is not a string');
  assert.equal(reasonOf('{"type":"bogus_type","data":{"x":1}}'), 'unknown message type "bogus_type"');
  assert.equal(reasonOf('{"type":"subscribe","data":["whitelist"]}'), 'unknown message type "subscribe"'); // a request, not a message
  assert.equal(reasonOf(`{"type":"${'x\\n'.repeat(50)}"}`).length < 100, true); // reasons stay short and one line
  assert.doesNotMatch(reasonOf('{"type":"a\\nb"}'), /\n/);
});

test('empty data (falsy in Python) is an empty message of its type', () => {
  for (const data of ['[]', 'null', '{}', '""', '0', '0.0', 'false', '[ ]', '{\n}']) {
    assert.deepEqual(env(`{"type":"whitelist","data":${data}}`), { kind: 'empty', type: 'whitelist' }, data);
  }
  assert.deepEqual(env('{"type":"whitelist"}'), { kind: 'empty', type: 'whitelist' });
  assert.deepEqual(env('{"type":"analyzed_df","data":null}'), { kind: 'empty', type: 'analyzed_df' });
  assert.deepEqual(env('{"type":"analyzed_df","data":{}}'), { kind: 'empty', type: 'analyzed_df' });
  assert.deepEqual(env('{"type":"new_candle"}'), { kind: 'empty', type: 'new_candle' });
  assert.equal(reasonOf('{"type":"whitelist","data":1}'), 'whitelist data is not a list');
  assert.equal(reasonOf('{"type":"analyzed_df","data":true}'), 'analyzed_df data is not an object');
});

test('known types the consumer does not handle are ignored', () => {
  for (const type of ['new_candle', 'exception', 'status', 'warning', 'startup', 'entry', 'entry_fill', 'entry_cancel',
    'exit', 'exit_fill', 'exit_cancel', 'protection_trigger', 'protection_trigger_global', 'strategy_msg']) {
    assert.deepEqual(env(`{"type":"${type}","data":"x"}`), { kind: 'ignored', type });
  }
  const huge = Buffer.from(JSON.stringify({ type: 'exception', data: 'x'.repeat(5 << 20) }));
  assert.deepEqual(env(huge), { kind: 'ignored', type: 'exception' });
});

test('whitelist: a list of strings, escapes decoded', () => {
  assert.deepEqual(env('{"type":"whitelist","data":["BTC\\/USDT","ETH/USDT","\\u00fcN/USDT"]}'),
    { kind: 'whitelist', pairs: ['BTC/USDT', 'ETH/USDT', 'üN/USDT'] });
  assert.equal(reasonOf('{"type":"whitelist","data":["BTC/USDT",5]}'), 'whitelist holds a pair that is not a string');
  assert.equal(reasonOf('{"type":"whitelist","data":{"pair":"BTC/USDT"}}'), 'whitelist data is not a list');
});

test('analyzed_df: key, la and the frame span', () => {
  const text = adf();
  const e = env(text);
  assert.equal(e.kind, 'analyzed_df');
  if (e.kind !== 'analyzed_df') return;
  assert.deepEqual(e.key, { pair: 'BTC/USDT', timeframe: '5m', candleType: 'spot' });
  assert.equal(e.la, '2024-10-24T09:29:03.123456+00:00');
  assert.equal(e.laMs, 1729762143123);
  const span = Buffer.from(text).toString('utf8', e.frameStart, e.frameEnd);
  assert.equal(JSON.parse(`"${span}"`), FRAME);
});

test('analyzed_df of the wrong shape is invalid, with a reason', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ key: undefined }, 'analyzed_df has no key'],
    [{ key: 'BTC/USDT' }, 'key is not [pair, timeframe, candle_type]'],
    [{ key: ['BTC/USDT', '5m'] }, 'key is not [pair, timeframe, candle_type]'],
    [{ key: ['BTC/USDT', '5m', 'spot', 'x'] }, 'key is not [pair, timeframe, candle_type]'],
    [{ key: ['BTC/USDT', 5, 'spot'] }, 'key is not [pair, timeframe, candle_type]'],
    [{ key: ['', '5m', 'spot'] }, 'key has an empty pair'],
    [{ key: ['BTC/USDT', '5x', 'spot'] }, 'key has an unknown timeframe "5x"'],
    [{ key: ['BTC/USDT', '5m', 'weird'] }, 'key has an unknown candle type "weird"'],
    [{ key: ['BTC/USDT', '5m', ''] }, 'key has an unknown candle type ""'],
    [{ df: undefined }, 'analyzed_df has no df'],
    [{ df: JSON.parse(FRAME) }, 'df is not a {"__type__": "dataframe", "__value__": ...} wrapper'],
    [{ df: { __type__: 'series', __value__: FRAME } }, 'df is not a {"__type__": "dataframe", "__value__": ...} wrapper'],
    [{ df: FRAME }, 'df is not a {"__type__": "dataframe", "__value__": ...} wrapper'],
    [{ df: { __type__: 'dataframe', __value__: JSON.parse(FRAME) } }, 'df __value__ is not a string'],
    [{ df: { __type__: 'dataframe' } }, 'df __value__ is not a string'],
    [{ la: undefined }, 'analyzed_df has no la'],
    [{ la: 1729762143 }, 'la is not an ISO timestamp: 1729762143'],
    [{ la: 'yesterday' }, 'la is not an ISO timestamp: "yesterday"'],
    [{ la: '2024-02-30T00:00:00+00:00' }, 'la is not an ISO timestamp: "2024-02-30T00:00:00+00:00"'],
    [{ la: '2024-10-24T24:00:00+00:00' }, 'la is not an ISO timestamp: "2024-10-24T24:00:00+00:00"'],
    [{ la: '2024-10-24' }, 'la is not an ISO timestamp: "2024-10-24"'],
  ];
  for (const [data, reason] of cases) assert.deepEqual(env(adf(data)), { kind: 'invalid', reason }, reason);
});

test('la: the ISO forms freqtrade (pydantic) accepts, as epoch ms', () => {
  const ms = (la: string): number | undefined => {
    const e = env(adf({ la }));
    return e.kind === 'analyzed_df' ? e.laMs : undefined;
  };
  assert.equal(ms('2024-10-24T09:30:00+00:00'), Date.UTC(2024, 9, 24, 9, 30));
  assert.equal(ms('2024-10-24T09:30:00Z'), Date.UTC(2024, 9, 24, 9, 30));
  assert.equal(ms('2024-10-24T09:30:00'), Date.UTC(2024, 9, 24, 9, 30)); // naive: UTC
  assert.equal(ms('2024-10-24 09:30:00.5+00:00'), Date.UTC(2024, 9, 24, 9, 30, 0, 500));
  assert.equal(ms('2024-10-24T11:30:00+02:00'), Date.UTC(2024, 9, 24, 9, 30));
  assert.equal(ms('2024-10-24T09:30:00.999999999-0130'), Date.UTC(2024, 9, 24, 11, 0, 0, 999));
  assert.equal(ms('1970-01-01T00:00:00+00:00'), 0);
  assert.equal(ms('2024-02-29T00:00:00+00:00'), Date.UTC(2024, 1, 29));
  assert.equal(ms('2023-02-29T00:00:00+00:00'), undefined);
});

test('futures keys; members in any order; escaped member names; whitespace; last duplicate wins', () => {
  const e1 = env(adf({ key: ['BTC/USDT:USDT', '1h', 'futures'] }));
  assert.ok(e1.kind === 'analyzed_df' && e1.key.candleType === 'futures' && e1.key.pair === 'BTC/USDT:USDT');
  const reordered = `{"data":{"la":"2024-10-24T09:30:00+00:00","df":{"__value__":${JSON.stringify(FRAME)},"__type__":"dataframe"},"key":["A/B","5m","spot"]},"type":"analyzed_df"}`;
  assert.equal(kindOf(reordered), 'analyzed_df');
  assert.deepEqual(env('{"typ\\u0065":"whitelist","d\\u0061ta":["A"]}'), { kind: 'whitelist', pairs: ['A'] });
  const pretty = JSON.stringify(JSON.parse(adf()), null, 2);
  const e2 = env(pretty);
  assert.equal(e2.kind, 'analyzed_df');
  if (e2.kind === 'analyzed_df') assert.equal(JSON.parse(`"${pretty.slice(e2.frameStart, e2.frameEnd)}"`), FRAME);
  assert.deepEqual(env('{"type":"exception","type":"whitelist","data":["A"]}'), { kind: 'whitelist', pairs: ['A'] });
  assert.equal(reasonOf(`{"type":"analyzed_df","data":${JSON.stringify(JSON.parse(adf()).data)},"data":{"key":["A","5m","spot"]}}`),
    'analyzed_df has no df');
});

test('the frame span survives quotes and backslashes inside the frame text', () => {
  for (const value of ['a\\', '\\"', '"', 'x\\\\"y', '{"columns":["a\\"b"]}', '\\', '']) {
    const text = adf({ df: { __type__: 'dataframe', __value__: value } });
    const e = env(text);
    assert.equal(e.kind, 'analyzed_df', value);
    if (e.kind === 'analyzed_df') assert.equal(JSON.parse(`"${text.slice(e.frameStart, e.frameEnd)}"`), value);
  }
});

test('a malformed frame string in a message nobody decodes is still not JSON', () => {
  const text = JSON.stringify({ type: 'status', data: { df: { __type__: 'dataframe', __value__: 'ab' } } }).replace('ab', 'a\u0001b');
  assert.equal(kindOf(text), 'undecodable');
});

test('mutated messages: undecodable exactly when JSON.parse refuses them (or the frame fails to decode)', () => {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const bases = [adf(), '{"type":"whitelist","data":["BTC/USDT","ETH/USDT"]}', '{"type":"new_candle","data":["A","5m","spot"]}'];
  const alphabet = '"\\{}[],:0123456789.eE+-aflnrstu \n\u0001\u00fc';
  const decoder = new FrameDecoder();
  for (let i = 0; i < 3000; i++) {
    let s = bases[rand(bases.length)]!;
    for (let m = rand(3) + 1; m > 0; m--) {
      const at = rand(s.length + 1);
      const op = rand(3);
      if (op === 0) s = s.slice(0, at); // truncate
      else if (op === 1) s = s.slice(0, at) + s.slice(at + 1); // delete
      else s = s.slice(0, at) + alphabet[rand(alphabet.length)]! + s.slice(at + 1); // replace
    }
    const msg = Buffer.from(s);
    const e = parseEnvelope(msg);
    let json = true;
    try { JSON.parse(s); } catch { json = false; }
    if (json) assert.notEqual(e.kind, 'undecodable', s);
    else if (e.kind === 'analyzed_df') assert.equal(decoder.decode(msg, e.frameStart, e.frameEnd, { removeSignals: false }).ok, false, s);
    else assert.equal(e.kind, 'undecodable', s);
  }
});
