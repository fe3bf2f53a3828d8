import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { StatusReporter, age, formatStatus, type StatusSummary } from '../../src/appliance/status-line.js';
import { DataFreshness } from '../../src/appliance/data-freshness.js';

const base: StatusSummary = { producersUp: 2, producersTotal: 2, pairs: 48, lastCandleAt: 0, openTrades: 3, problem: null, live: null };

test('formatStatus', () => {
  assert.equal(formatStatus(base, 12_400), '2/2 producers, 48 pairs, last candle 12s ago, 3 open trades');
  assert.equal(
    formatStatus({ ...base, producersUp: 0, producersTotal: 1, pairs: 1, lastCandleAt: null, openTrades: null, problem: 'token refused by producer a' }, 0),
    'token refused by producer a; 0/1 producer, 1 pair, no candle yet',
  );
  assert.equal(formatStatus({ ...base, live: 'binance' }, 12_400), 'LIVE on binance: 2/2 producers, 48 pairs, last candle 12s ago, 3 open trades');
  assert.deepEqual([age(59_999), age(60_000), age(3_599_000), age(7_200_000), age(200_000_000)], ['59s', '1m', '59m', '2h', '2d']);
});

test('STATUS= is sent on change only, at most once per interval', async (t) => {
  mock.timers.enable({ apis: ['setInterval'] });
  t.after(() => mock.timers.reset());
  const sent: string[] = [];
  let summary = base;
  const r = new StatusReporter({ notify: { status: (l) => sent.push(l) }, summary: () => summary, minIntervalMs: 5000, now: () => 1000 });
  await r.start();
  assert.deepEqual(sent, ['2/2 producers, 48 pairs, last candle 1s ago, 3 open trades']);
  mock.timers.tick(5000);
  assert.equal(sent.length, 1, 'unchanged');
  summary = { ...base, producersUp: 1 };
  summary = { ...base, producersUp: 0 };
  assert.equal(sent.length, 1, 'not before the interval');
  mock.timers.tick(5000);
  assert.deepEqual(sent.slice(1), ['0/2 producers, 48 pairs, last candle 1s ago, 3 open trades']);
  await r.stop();
});

test('data is stale after two periods of the shortest timeframe plus a minute', () => {
  let now = 0;
  const f = new DataFreshness(() => now);
  assert.equal(f.stale(1e12), false, 'no candle yet is not stale');
  f.candle('1h');
  f.candle('5m');
  assert.equal(f.lastCandleAt, 0);
  assert.equal(f.stale(660_000), false);
  assert.equal(f.stale(660_001), true);
  now = 700_000;
  f.candle('1h');
  assert.equal(f.stale(700_000 + 660_000), false);
});
