import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IngestLiveness, livenessBounds, type ProducerProgress } from '../../src/appliance/ingest-liveness.js';

const bounds = { retryingMs: 120_000, connectedMs: 100_000 };

test('bounds follow the consumer settings, with a minute of slack', () => {
  const b = livenessBounds(
    {
      enabled: true, producers: [], wait_timeout: 30, ping_timeout: 10, sleep_time: 10,
      remove_entry_exit_signals: false, initial_candle_limit: 1500, message_size_limit: 8,
    },
    { compression: false, max_backoff: 300 },
  );
  assert.deepEqual(b, { retryingMs: 360_000, connectedMs: 100_000 });
});

test('a producer that is down but retrying is alive; one whose retry loop froze is not', () => {
  let p: ProducerProgress & { failedAttempts: number } = { name: 'a', state: 'backoff', failedAttempts: 1 };
  const live = new IngestLiveness(() => [p], bounds);
  assert.equal(live.problem(0), null);
  // Retries keep failing: the counter moves, so a day of it is fine.
  for (let t = 60_000; t <= 86_400_000; t += 60_000) {
    p = { ...p, state: t % 120_000 === 0 ? 'connecting' : 'backoff', failedAttempts: p.failedAttempts + 1 };
    assert.equal(live.problem(t), null, `at ${t}`);
  }
  // Now nothing changes any more.
  const frozenAt = 86_400_000;
  assert.equal(live.problem(frozenAt + 120_000), null, 'not before the bound');
  assert.match(live.problem(frozenAt + 121_000) ?? '', /^producer a: (backoff|connecting) for 121 s without progress/);
});

test('a refused producer retries like any other; a stopped one (bad address) is left alone', () => {
  const live = new IngestLiveness(
    () => [
      { name: 'r', state: 'refused' },
      { name: 's', state: 'stopped' },
    ],
    bounds,
  );
  assert.equal(live.problem(0), null);
  assert.match(live.problem(200_000) ?? '', /^producer r: refused for 200 s/);
});

test('connected: silent beyond wait_timeout + ping_timeout means the ping supervision stopped', () => {
  let last_frame_at = 0;
  const live = new IngestLiveness(() => [{ name: 'a', state: 'connected', last_frame_at }], bounds);
  assert.equal(live.problem(50_000), null);
  last_frame_at = 40_000; // a pong
  assert.equal(live.problem(139_000), null);
  assert.match(live.problem(141_000) ?? '', /^producer a: connected but silent for 101 s/);
});

test('connected without a frame time: a quiet producer is never a problem', () => {
  const live = new IngestLiveness(() => [{ name: 'a', state: 'connected' }], bounds);
  assert.equal(live.problem(0), null);
  assert.equal(live.problem(86_400_000), null);
});
