import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statusReport } from '../../src/appliance/control-status.js';

const store = {
  producerPairs: (p: string) => (p === 'a' ? ['BTC/USDT', 'ETH/USDT'] : []),
  keys: () => [
    { producer: 'a', rows: 1500 },
    { producer: 'a', rows: 20 },
    { producer: 'gone', rows: 7 },
  ],
};

describe('statusReport', () => {
  it('sums keys and rows per producer, ages the last message and flattens counters (not time stamps)', () => {
    const now = 1_000_000;
    const r = statusReport(
      [
        {
          name: 'a',
          state: 'connected',
          address: 'ws://10.0.0.2:8080/api/v1/message/ws',
          lastError: null,
          lastMessageAt: now - 2_400,
          lastFrameAt: now - 100,
          connects: 2,
          counters: { messages: { whitelist: 1, analyzed_df: 40 }, bytes: 123456, label: 'not a number' },
        } as { name: string; state: string; lastMessageAt: number },
        { name: 'b', state: 'refused', lastMessageAt: null, lastError: 'HTTP 403: token refused' },
      ],
      store,
      now - 61_000,
      { trading: { 'open trades': 1 } },
      now,
    );
    assert.equal(r.uptime_s, 61);
    assert.equal(r.pid, process.pid);
    assert.ok(r.rss_bytes > 0);
    assert.deepEqual(r.producers, [
      {
        name: 'a',
        state: 'connected',
        address: 'ws://10.0.0.2:8080/api/v1/message/ws',
        last_error: null,
        pairs: 2,
        keys: 2,
        rows: 1520,
        last_message_age_s: 2,
        counters: { connects: 2, 'messages.whitelist': 1, 'messages.analyzed_df': 40, bytes: 123456 },
      },
      { name: 'b', state: 'refused', address: null, last_error: 'HTTP 403: token refused', pairs: 0, keys: 0, rows: 0, last_message_age_s: null, counters: {} },
    ]);
    assert.deepEqual(r.sections, { trading: { 'open trades': 1 } });
  });
});
