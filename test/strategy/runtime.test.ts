import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/log.js';
import { Journal, journalPath, readTrades } from '../../src/journal/index.js';
import type { ClosedTrade } from '../../src/journal/trade.js';
import { DryRunBroker } from '../../src/strategy/dry-run-broker.js';
import type { TradingSettings } from '../../src/strategy/broker.js';
import { StrategyRuntime, type RuntimeOptions } from '../../src/strategy/runtime.js';
import { checkStrategy, type LoadedStrategy } from '../../src/strategy/strategy-loader.js';
import { BUILT_IN_STRATEGIES } from '../../src/strategy/builtin/index.js';
import type { Signals, StrategyContext } from '../../src/strategy/api.js';
import type { PairKey } from '../../src/protocol/index.js';
import { MIN, T0, TableSource, dates5m, frame } from './arrow-frames.js';

const SETTINGS: TradingSettings = {
  strategy: 'Test', dry_run_wallet: 1000, stake_currency: 'USDT', stake_amount: 100, max_open_trades: 3,
  tradable_balance_ratio: 0.99, fee: 0.001, minimal_roi: [], stoploss: -0.1,
};

const key = (pair: string, candleType: 'spot' | 'futures' = 'spot'): PairKey => ({ pair, timeframe: '5m', candleType });

/** A 3-row frame whose last candle (row 2) has the given close and signals. */
function signalFrame(last: { close?: number; low?: number; enter?: number; exit?: number; tag?: string | null; shift?: number } = {}) {
  const start = T0 + (last.shift ?? 0) * 5 * MIN;
  const close = last.close ?? 100;
  return frame(dates5m(3, start), {
    open: [100, 100, close], high: [100, 100, close], low: [100, 100, last.low ?? close], close: [100, 100, close],
    enter_long: { int8: [0, 0, last.enter ?? 0] }, exit_long: { int8: [0, 0, last.exit ?? 0] },
    enter_tag: { dict: [null, null, last.tag ?? null] },
  });
}

function strategy(def: object): LoadedStrategy {
  const r = checkStrategy(def, 'test', {});
  assert.ok(r.ok, r.ok ? '' : r.problems.join('; '));
  return r.strategy;
}

async function setup(
  t: { after(fn: () => Promise<void>): void },
  opts: { strategy?: LoadedStrategy; settings?: Partial<TradingSettings>; runtime?: RuntimeOptions } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-runtime-'));
  const journal = new Journal(journalPath(dir));
  await journal.start();
  const lines: string[] = [];
  const log = createLogger('info', (l) => lines.push(l));
  const clock = { now: T0 + 3 * 5 * MIN + 30_000 }; // 30 s after the 3-row frame's last candle closed
  const connected = { default: true } as Record<string, boolean>;
  const source = new TableSource();
  const broker = new DryRunBroker({ ...SETTINGS, ...opts.settings }, journal, log, () => clock.now);
  await broker.start();
  const s = opts.strategy ?? strategy(BUILT_IN_STRATEGIES.get('UpstreamSignals')!);
  const runtime = new StrategyRuntime(s, source, source.updates, broker, log, (p) => connected[p] === true, {
    now: () => clock.now, ...opts.runtime,
  });
  await runtime.start();
  t.after(async () => {
    await runtime.stop();
    await journal.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, source, runtime, broker, lines, clock, connected };
}

test('an entry signal on the last candle opens a trade at its close; a re-sent candle never opens a second', async (t) => {
  const { source, runtime, dir } = await setup(t);
  source.put('default', key('BTC/USDT'), signalFrame({ enter: 1, close: 101, tag: 'go' }));
  await runtime.idle();
  source.put('default', key('BTC/USDT'), signalFrame({ enter: 1, close: 101.5, tag: 'go' }));
  await runtime.idle();
  const trades = readTrades(journalPath(dir), 'all');
  assert.equal(trades.length, 1);
  assert.equal(trades[0]!.openRate, 101);
  assert.equal(trades[0]!.enterTag, 'go');
  assert.equal(runtime.status().open_trades, 1);
  // The producer re-sends the candle with the exit set: not on the entry candle. The next candle exits.
  source.put('default', key('BTC/USDT'), signalFrame({ exit: 1, close: 102 }));
  await runtime.idle();
  assert.equal(readTrades(journalPath(dir), 'open').length, 1);
  source.put('default', key('BTC/USDT'), signalFrame({ exit: 1, close: 103, shift: 1 }));
  await runtime.idle();
  const closed = readTrades(journalPath(dir), 'closed')[0] as ClosedTrade | undefined;
  assert.equal(closed?.closeRate, 103);
  assert.equal(closed?.exitReason, 'exit_signal');
});

test('updates arriving before the evaluation are coalesced into one evaluation per key', async (t) => {
  let calls = 0;
  const s = strategy({ name: 'Count', lookback: 1, populate: () => { calls++; return {}; } });
  const { source, runtime } = await setup(t, { strategy: s });
  for (let i = 0; i < 5; i++) source.put('default', key('BTC/USDT'), signalFrame());
  source.put('default', key('ETH/USDT'), signalFrame());
  await runtime.idle();
  assert.equal(calls, 2);
});

test("other producers, timeframes and untraded candle types do not run the strategy", async (t) => {
  let calls = 0;
  const s = strategy({ name: 'Count', timeframe: '5m', candle_types: ['spot'], populate: () => { calls++; return {}; } });
  const { source, runtime } = await setup(t, { strategy: s });
  source.put('other', key('BTC/USDT'), signalFrame());
  source.put('default', { pair: 'BTC/USDT', timeframe: '1h', candleType: 'spot' }, signalFrame());
  source.put('default', key('BTC/USDT:USDT', 'futures'), signalFrame());
  source.put('default', { pair: 'BTC/USDT', timeframe: '5m', candleType: 'mark' }, signalFrame());
  await runtime.idle();
  assert.equal(calls, 0);
});

test('no entry on stale data or while the producer is disconnected; the status says why; it enters once fresh', async (t) => {
  const { source, runtime, clock, connected, lines } = await setup(t);
  clock.now += 60 * MIN; // the last candle (opened 5.5 min before the clock) is now 65.5 min old; limit 2 x 5 + 5 = 15
  source.put('default', key('BTC/USDT'), signalFrame({ enter: 1 }));
  await runtime.idle();
  assert.equal(runtime.status().open_trades, 0);
  assert.deepEqual(runtime.status().waiting.map((w) => [w.pair, w.reason]), [['BTC/USDT', 'last candle is 66 min old (limit 15 min)']]);
  assert.ok(lines.some((l) => l.includes('BTC/USDT 5m spot: entry signal waits: last candle is 66 min old')));
  clock.now -= 60 * MIN;
  connected['default'] = false;
  source.put('default', key('BTC/USDT'), signalFrame({ enter: 1 }));
  await runtime.idle();
  assert.equal(runtime.status().open_trades, 0);
  assert.equal(runtime.status().waiting[0]?.reason, 'producer default is disconnected');
  connected['default'] = true;
  source.put('default', key('BTC/USDT'), signalFrame({ enter: 1 }));
  await runtime.idle();
  assert.equal(runtime.status().open_trades, 1);
  assert.deepEqual(runtime.status().waiting, []);
});

test('exits are decided before entries in one batch, so a slot freed on a candle is taken on it', async (t) => {
  const { source, runtime, broker } = await setup(t, { settings: { max_open_trades: 1 } });
  source.put('default', key('A/USDT'), signalFrame({ enter: 1, shift: -1 }));
  await runtime.idle();
  assert.ok(broker.openTrade('A/USDT'));
  // B's entry is queued before A's exit on the same candle.
  source.put('default', key('B/USDT'), signalFrame({ enter: 1 }));
  source.put('default', key('A/USDT'), signalFrame({ exit: 1 }));
  await runtime.idle();
  assert.equal(broker.openTrade('A/USDT'), undefined);
  assert.ok(broker.openTrade('B/USDT'));
});

test('a strategy that throws is reported per key and disabled there after 3 failures; other keys keep trading', async (t) => {
  const s = strategy({
    name: 'Fragile', lookback: 1, columns: ['enter_long'],
    populate(ctx: StrategyContext): Signals {
      if (ctx.pair === 'BAD/USDT') throw new TypeError('cannot read rsi of undefined');
      return { enter_long: ctx.col('enter_long') };
    },
  });
  const { source, runtime, lines } = await setup(t, { strategy: s });
  for (let i = 0; i < 4; i++) {
    source.put('default', key('BAD/USDT'), signalFrame({ enter: 1 }));
    await runtime.idle();
  }
  source.put('default', key('GOOD/USDT'), signalFrame({ enter: 1 }));
  await runtime.idle();
  const failures = lines.filter((l) => l.includes('Fragile on BAD/USDT 5m spot threw TypeError: cannot read rsi of undefined'));
  assert.deepEqual(failures.map((l) => l.slice(-5)), ['(1/3)', '(2/3)', '(3/3)'], 'three warnings, then silence');
  assert.ok(lines.some((l) => l.startsWith('<3>') && l.includes('strategy Fragile disabled for BAD/USDT 5m spot')));
  const st = runtime.status();
  assert.equal(st.disabled, null);
  assert.deepEqual(st.disabled_keys.map((k) => k.pair), ['BAD/USDT']);
  assert.match(st.disabled_keys[0]!.reason, /threw TypeError: cannot read rsi of undefined \(3 times in a row\)/);
  assert.equal(st.open_trades, 1, 'GOOD/USDT entered');
});

test('wrong-length and malformed results count as failures with a clear reason', async (t) => {
  const cases: [string, (ctx: StrategyContext) => unknown, RegExp][] = [
    ['Short', () => ({ enter_long: new Uint8Array(5) }), /returned enter_long of length 5 for 1 rows/],
    ['Plain', () => ({ exit_long: [1] }), /returned exit_long that is not a typed array/],
    ['Nothing', () => undefined, /returned undefined instead of a signals object/],
    ['Tags', () => ({ enter_tag: 5 }), /returned an enter_tag that is not a string, null or one per row/],
  ];
  for (const [name, populate, reason] of cases) {
    const { source, runtime, lines } = await setup(t, { strategy: strategy({ name, lookback: 1, populate }), runtime: { maxStrikes: 1 } });
    source.put('default', key('BTC/USDT'), signalFrame({ enter: 1 }));
    await runtime.idle();
    assert.ok(lines.some((l) => reason.test(l) && l.includes(`strategy ${name} on BTC/USDT 5m spot`)), `${name}: ${lines.join('\n')}`);
    assert.match(runtime.status().disabled_keys[0]?.reason ?? '', reason);
  }
});

test('a strategy slow 3 evaluations in a row is disabled altogether; open trades still stop out', async (t) => {
  let slow = false;
  const s = strategy({
    name: 'Sluggish', lookback: 1,
    populate(ctx: StrategyContext): Signals {
      const until = performance.now() + 5;
      while (slow && performance.now() < until) { /* busy: a strategy doing far too much */ }
      return { enter_long: ctx.col('enter_long') };
    },
  });
  const { source, runtime, lines, broker } = await setup(t, { strategy: s, runtime: { slowEvalMs: 1 } });
  source.put('default', key('A/USDT'), signalFrame({ enter: 1, shift: -1 }));
  await runtime.idle();
  assert.ok(broker.openTrade('A/USDT'));
  slow = true;
  for (const pair of ['B/USDT', 'C/USDT', 'D/USDT']) {
    source.put('default', key(pair), signalFrame());
    await runtime.idle();
  }
  assert.match(runtime.status().disabled ?? '', /^3 evaluations in a row slower than 1 ms$/);
  assert.equal(runtime.status().entries_blocked, 'strategy disabled: 3 evaluations in a row slower than 1 ms');
  assert.equal(lines.filter((l) => /strategy Sluggish took [\d.]+ ms on [A-D]\/USDT 5m spot \(limit 1 ms, \d\/3\)/.test(l)).length, 3);
  // Disabled: no more populate calls, but A's candle through the stop still exits it.
  source.put('default', key('A/USDT'), signalFrame({ low: 80, close: 85 }));
  await runtime.idle();
  assert.equal(broker.openTrade('A/USDT'), undefined);
});

test('a key missing a declared column waits with the reason instead of failing', async (t) => {
  const s = strategy({ name: 'NeedsRsi', columns: ['rsi'], populate: () => { throw new Error('not reached'); } });
  const { source, runtime, lines } = await setup(t, { strategy: s });
  source.put('default', key('BTC/USDT'), signalFrame());
  await runtime.idle();
  assert.deepEqual(runtime.status().waiting.map((w) => w.reason), ['no column "rsi" in the frame']);
  assert.deepEqual(runtime.status().disabled_keys, []);
  assert.ok(lines.some((l) => l.includes('strategy NeedsRsi waits on BTC/USDT 5m spot: no column "rsi" in the frame')));
});

test('a burst of updates is evaluated over several event-loop turns when it exceeds the turn budget', async (t) => {
  let calls = 0;
  const s = strategy({ name: 'Count', lookback: 1, populate: () => { calls++; return {}; } });
  const { source, runtime } = await setup(t, { strategy: s, runtime: { turnBudgetMs: 0 } });
  for (let i = 0; i < 100; i++) source.put('default', key(`P${i}/USDT`), signalFrame());
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.ok(calls >= 1 && calls < 100, `after one turn: ${calls} evaluated`);
  await runtime.idle();
  assert.equal(calls, 100);
});

test('a stopped runtime ignores updates', async (t) => {
  let calls = 0;
  const s = strategy({ name: 'Count', populate: () => { calls++; return {}; } });
  const { source, runtime } = await setup(t, { strategy: s });
  await runtime.stop();
  await runtime.stop();
  source.put('default', key('BTC/USDT'), signalFrame());
  await runtime.idle();
  assert.equal(calls, 0);
  assert.equal(runtime.status().entries_blocked, 'the strategy runtime is not running');
});
