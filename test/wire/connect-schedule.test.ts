import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectSchedule, RETURN_WINDOW_MS } from '../../src/wire/connect-schedule.js';

const SLEEP = 10_000;
const MAX = 300_000;

function schedule() {
  const clock = { t: 1_000_000 };
  return { s: new ConnectSchedule(SLEEP, MAX, () => clock.t), clock };
}

test('a producer never reached: sleep_time, doubled per failed attempt, up to max_backoff', () => {
  const { s } = schedule();
  const waits = Array.from({ length: 8 }, () => s.afterFailure(false));
  assert.deepEqual(waits, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
});

test('a dropped connection is reopened at once, at most once per sleep_time', () => {
  const { s, clock } = schedule();
  s.connected();
  assert.equal(s.afterDrop(), 0);
  s.connected();
  clock.t += 1_000;
  assert.equal(s.afterDrop(), SLEEP, 'dropped again right away: wait');
  s.connected();
  clock.t += SLEEP;
  assert.equal(s.afterDrop(), 0);
});

test('a producer that was up and went away is retried every sleep_time while it may be restarting, then backs off', () => {
  const { s, clock } = schedule();
  s.connected();
  s.afterDrop();
  const waits: number[] = [];
  while (clock.t - 1_000_000 <= RETURN_WINDOW_MS) {
    const w = s.afterFailure(false);
    waits.push(w);
    clock.t += w;
  }
  assert.ok(waits.length > 80 && waits.every((w) => w === SLEEP), 'within sleep_time of it listening again, however long the restart');
  assert.deepEqual([s.afterFailure(false), s.afterFailure(false), s.afterFailure(false)], [10_000, 20_000, 40_000], 'gone for good: backoff');
  s.connected();
  s.afterDrop();
  assert.equal(s.afterFailure(false), SLEEP, 'up again, then gone: a new restart');
});

test('a refused token backs off even right after the producer was up', () => {
  const { s } = schedule();
  s.connected();
  s.afterDrop();
  assert.deepEqual([s.afterFailure(true), s.afterFailure(true), s.afterFailure(true)], [10_000, 20_000, 40_000]);
});
