import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statusReport } from '../../src/appliance/index.js';
import type { ProducerStatus } from '../../src/ingest/index.js';

const store = {
  producerPairs: (p: string) => (p === 'a' ? ['BTC/USDT', 'ETH/USDT'] : []),
  keys: () => [
    { producer: 'a', rows: 1500 },
    { producer: 'a', rows: 20 },
    { producer: 'gone', rows: 7 },
  ],
};

const counted = {
  messages: {}, dropped: { invalid: 0, undecodable: 0, frame: 0, oversize: 0, protocol: 0, internal: 0 }, re_requests: 0,
  decode_ms: { frames: 0, first: null, tenth: null, last: null, total: 0 },
};

describe('statusReport', () => {
  it('keeps each part\'s data as it is and adds keys and rows held per producer and message ages', () => {
    const now = 1_000_000;
    const a: ProducerStatus = {
      name: 'a', address: 'ws://10.0.0.2:8080/api/v1/message/ws', state: 'connected', last_error: null,
      connects: 2, failed_attempts: 0, bytes: 123456, last_message_at: now - 2_400, last_frame_at: now - 100,
      ...counted, messages: { whitelist: 1, analyzed_df: 40 }, re_requests: 3,
    };
    const b: ProducerStatus = {
      name: 'b', address: 'ws://10.0.0.3:8080/api/v1/message/ws', state: 'refused',
      last_error: { code: 'refused', message: 'refused: token rejected by producer b' },
      connects: 0, failed_attempts: 4, bytes: 0, last_message_at: null, last_frame_at: null, ...counted,
    };
    const trading = { running: false as const, strategy: 'X', problems: ['not started'] };
    const problems = [{ code: 'token-refused' as const, text: 'token refused by producer b' }];
    const r = statusReport({ producers: [a, b], store, trading, problems, startedAt: now - 61_000 }, now);
    assert.equal(r.uptime_s, 61);
    assert.equal(r.pid, process.pid);
    assert.ok(r.rss_bytes > 0);
    assert.deepEqual(r.producers, [
      { ...a, pairs: 2, keys: 2, rows: 1520, last_message_age_s: 2 },
      { ...b, pairs: 0, keys: 0, rows: 0, last_message_age_s: null },
    ]);
    assert.equal(r.trading, trading);
    assert.deepEqual(r.problems, problems);
    // Machine-friendly: numbers stay numbers, and every key is snake_case.
    const keys = (v: unknown): string[] => (typeof v === 'object' && v !== null ? Object.entries(v).flatMap(([k, x]) => [k, ...keys(x)]) : []);
    assert.deepEqual(keys(JSON.parse(JSON.stringify(r))).filter((k) => !/^[a-z0-9_]+$/.test(k) && !k.includes('/')), []);
  });
});
