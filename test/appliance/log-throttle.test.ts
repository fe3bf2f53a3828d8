import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log.js';
import { LogThrottle } from '../../src/appliance/log-throttle.js';

function setup(opts: { maxLines?: number } = {}) {
  const lines: string[] = [];
  let now = 0;
  const throttle = new LogThrottle(createLogger('debug', (l) => lines.push(l)), { now: () => now, ...opts });
  return { lines, throttle, log: throttle.logger, at: (t: number) => (now = t) };
}

test('a producer down for a day: one line per hour with the count, not one per 10 s', async () => {
  const { lines, log, at } = setup();
  const wire = log.child('wire');
  for (let t = 0; t < 86_400_000; t += 10_000) {
    at(t);
    wire.warn('producer a: cannot connect to ws://10.0.0.5:8080/api/v1/message/ws: ECONNREFUSED');
  }
  assert.equal(lines.length, 24);
  assert.equal(lines[0], '<4>[wire] producer a: cannot connect to ws://10.0.0.5:8080/api/v1/message/ws: ECONNREFUSED');
  assert.equal(lines[1], '<4>[wire] producer a: cannot connect to ws://10.0.0.5:8080/api/v1/message/ws: ECONNREFUSED (repeated 360 times in the last hour)');
});

test('different lines, levels and scopes are independent; debug is never held back', () => {
  const { lines, log } = setup();
  log.info('x');
  log.warn('x');
  log.child('a').info('x');
  log.info('y');
  log.info('x');
  log.debug('d');
  log.debug('d');
  assert.deepEqual(lines, ['<6>x', '<4>x', '<6>[a] x', '<6>y', '<7>d', '<7>d']);
});

test('held-back repeats are summarised when the window ends and at stop', async () => {
  const { lines, log, throttle, at } = setup();
  log.error('disk full');
  at(1000);
  log.error('disk full');
  log.error('disk full');
  at(5 * 60_000);
  await throttle.stop();
  assert.deepEqual(lines, ['<3>disk full', '<3>disk full (repeated 2 times in the last 5 min)']);
  log.error('disk full');
  assert.equal(lines.length, 3, 'a fresh start after the summary');
});

test('the number of tracked lines is bounded; the evicted one is summarised', () => {
  const { lines, log, at } = setup({ maxLines: 2 });
  log.warn('a');
  log.warn('a');
  at(1000);
  log.warn('b');
  log.warn('c');
  assert.deepEqual(lines, ['<4>a', '<4>b', '<4>a (repeated 1 time in the last 1 s)', '<4>c']);
});
