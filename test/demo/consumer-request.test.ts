import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretRequest, parseRequestJson } from '../../src/demo/consumer-request.js';

const req = (text: string): ReturnType<typeof interpretRequest> => interpretRequest(parseRequestJson(text));

test('subscribe applies only when every topic is a known message type (list items or dict keys)', () => {
  assert.deepEqual(req('{"type":"subscribe","data":["whitelist","analyzed_df"]}'), {
    kind: 'subscribe',
    topics: ['whitelist', 'analyzed_df'],
  });
  assert.deepEqual(req('{"type":"subscribe","data":{"new_candle":1}}'), { kind: 'subscribe', topics: ['new_candle'] });
  for (const data of ['["whitelist","bogus"]', '[]', 'null', '"analyzed_df"', '[1]']) {
    assert.deepEqual(req(`{"type":"subscribe","data":${data}}`), { kind: 'subscribe', topics: null }, data);
  }
  assert.deepEqual(req('{"type":"subscribe"}'), { kind: 'subscribe', topics: null });
});

test('analyzed_df: limit capped at 1500 and truncated, missing limit 1500, empty data = no limit, every pair', () => {
  assert.deepEqual(req('{"type":"analyzed_df","data":{"limit":1500,"pair":null}}'), { kind: 'analyzed_df', limit: 1500, pair: null });
  assert.deepEqual(req('{"type":"analyzed_df","data":{"limit":99999,"pair":"BTC/USDT"}}'), { kind: 'analyzed_df', limit: 1500, pair: 'BTC/USDT' });
  assert.deepEqual(req('{"type":"analyzed_df","data":{"limit":4.9,"pair":""}}'), { kind: 'analyzed_df', limit: 4, pair: null });
  assert.deepEqual(req('{"type":"analyzed_df","data":{"pair":"ETH/USDT"}}'), { kind: 'analyzed_df', limit: 1500, pair: 'ETH/USDT' });
  assert.deepEqual(req('{"type":"analyzed_df","data":{"limit":true}}'), { kind: 'analyzed_df', limit: 1, pair: null });
  assert.deepEqual(req('{"type":"analyzed_df","data":{}}'), { kind: 'analyzed_df', limit: 0, pair: null });
  assert.deepEqual(req('{"type":"analyzed_df"}'), { kind: 'analyzed_df', limit: 0, pair: null });
});

test('analyzed_df data freqtrade cannot use fails (exception reply); bad requests are invalid; non-JSON undecodable', () => {
  assert.equal(req('{"type":"analyzed_df","data":{"limit":"5"}}').kind, 'failed');
  assert.equal(req('{"type":"analyzed_df","data":{"limit":null}}').kind, 'failed');
  assert.equal(req('{"type":"analyzed_df","data":{"pair":5}}').kind, 'failed');
  assert.equal(req('{"type":"analyzed_df","data":"BTC/USDT"}').kind, 'failed');
  assert.deepEqual(req('{"type":"status"}'), { kind: 'invalid', reason: 'unknown request type "status"' });
  assert.deepEqual(req('[1,2]'), { kind: 'invalid', reason: 'request is not an object' });
  assert.deepEqual(req('{"type":'), { kind: 'undecodable' });
  assert.deepEqual(req('{"type":"whitelist","data":[1]}'), { kind: 'whitelist' });
});
