import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REQUEST_BACKOFF_MAX_MS, REQUEST_BACKOFF_MS } from '../../src/ingest/index.js';
import { RequestThrottle } from '../../src/ingest/request-throttle.js';

test('one outstanding request per key; unanswered repeats back off exponentially up to a cap', () => {
  const r = new RequestThrottle();
  let t = 1_000_000;
  assert.equal(r.tryRequest(t), true);
  assert.equal(r.outstanding, true);
  assert.equal(r.tryRequest(t), false, 'outstanding');
  let wait = REQUEST_BACKOFF_MS;
  const waits: number[] = [];
  for (let i = 0; i < 9; i++) {
    t += wait - 1;
    assert.equal(r.tryRequest(t), false, `still backing off after ${wait - 1} ms`);
    t += 1;
    assert.equal(r.tryRequest(t), true, `allowed after ${wait} ms`);
    waits.push(wait);
    wait = Math.min(wait * 2, REQUEST_BACKOFF_MAX_MS);
  }
  assert.equal(waits.at(-1), REQUEST_BACKOFF_MAX_MS, 'capped');
  r.connectionReset();
  assert.equal(r.outstanding, false);
  assert.equal(r.tryRequest(t), true, 'a reconnect forgets the outstanding request');
  t += 2 * REQUEST_BACKOFF_MAX_MS;
  assert.equal(r.tryRequest(t), true);
  t += REQUEST_BACKOFF_MS;
  assert.equal(r.tryRequest(t), true, 'a quiet key starts the backoff over');
});

test('an answered request ends the backoff: the next gap is asked for at once, however many came before', () => {
  const r = new RequestThrottle();
  const t = 5_000;
  for (let gap = 0; gap < 20; gap++) {
    assert.equal(r.tryRequest(t + gap), true, `gap ${gap} asked for at once`);
    assert.equal(r.tryRequest(t + gap), false, 'one in flight');
    r.answered();
    assert.equal(r.outstanding, false);
  }
});
