import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStrategy } from '../../src/strategy/strategy-loader.js';

function moduleFile(t: { after(fn: () => void): void }, name: string, source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-strategy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

async function problems(spec: string, overrides = {}): Promise<string[]> {
  const r = await loadStrategy(spec, overrides);
  assert.equal(r.ok, false);
  return r.ok ? [] : r.problems;
}

test('built-ins load by name with their defaults', async () => {
  const r = await loadStrategy('RsiBollingerConsumer');
  assert.ok(r.ok);
  assert.equal(r.strategy.origin, 'built-in');
  assert.equal(r.strategy.producer, 'default');
  assert.equal(r.strategy.timeframe, null);
  assert.deepEqual(r.strategy.candleTypes, ['spot', 'futures']);
  assert.equal(r.strategy.canShort, false);
  const u = await loadStrategy('UpstreamSignals', { timeframe: '1h' });
  assert.ok(u.ok);
  assert.equal(u.strategy.canShort, true);
  assert.equal(u.strategy.timeframe, '1h', 'the config timeframe overrides');
});

test('an unknown name, a relative path and a missing file are one-line problems', async () => {
  assert.deepEqual(await problems('Rsi'), [
    'unknown strategy "Rsi": name a built-in (UpstreamSignals, RsiBollingerConsumer) or give the absolute path of a .js/.mjs module',
  ]);
  assert.deepEqual(await problems('strategies/mine.mjs'), ['strategy path "strategies/mine.mjs" must be absolute']);
  assert.deepEqual(await problems('/nonexistent/mine.mjs'), ['strategy module /nonexistent/mine.mjs not found']);
});

test('a user module loads from its absolute path, with parameter overrides', async (t) => {
  const path = moduleFile(t, 'mine.mjs', `
    export default {
      name: 'Mine', producer: 'big', informative: ['other'], timeframe: '15m', candle_types: ['futures'],
      columns: ['rsi', 'rsi_other'], can_short: true, lookback: 3, parameters: { level: 30, tag: 'x', on: true },
      populate(ctx, h) { return { enter_long: h.gt(ctx.col('rsi'), ctx.params.level) }; },
    };`);
  const r = await loadStrategy(path, { params: { level: 25, on: false } });
  assert.ok(r.ok, r.ok ? '' : r.problems.join('; '));
  const s = r.strategy;
  assert.equal(s.origin, path);
  assert.deepEqual(s.params, { level: 25, tag: 'x', on: false });
  assert.equal(s.producer, 'big');
  assert.deepEqual(s.informative, ['other']);
  assert.equal(s.timeframe, '15m');
  assert.deepEqual(s.candleTypes, ['futures']);
  assert.equal(s.lookback, 3);
  assert.equal(s.canShort, true);
});

test('a named `strategy` export works too; a module without either is refused', async (t) => {
  const named = moduleFile(t, 'named.mjs', 'export const strategy = { name: "N", populate() { return {}; } };');
  assert.ok((await loadStrategy(named)).ok);
  const empty = moduleFile(t, 'empty.mjs', 'export const x = 1;');
  assert.deepEqual(await problems(empty), [`strategy module ${empty} exports no strategy (expected "export default { name, populate, ... }")`]);
});

test('a module that does not parse or throws on import is reported, not thrown', async (t) => {
  const bad = moduleFile(t, 'bad.mjs', 'export default {');
  const [p] = await problems(bad);
  assert.match(p!, new RegExp(`^strategy module ${bad} failed to load: SyntaxError`));
  const throwing = moduleFile(t, 'throwing.mjs', 'throw new Error("boom at import");');
  assert.deepEqual(await problems(throwing), [`strategy module ${throwing} failed to load: boom at import`]);
});

test('every bad field is named, one line each', async (t) => {
  const path = moduleFile(t, 'fields.mjs', `export default {
    name: 'Bad', populate: 3, producer: '', informative: 'x', timeframe: '7x', candle_types: ['mark'],
    columns: [1], can_short: 'yes', lookback: 0, minimal_roi: { ten: 1 }, stoploss: 0.1, parameters: { a: [1] },
  };`);
  assert.deepEqual(await problems(path), [
    `strategy Bad (${path}): populate must be a function (ctx, h) => signals, got 3`,
    `strategy Bad (${path}): producer must be a producer name, got ""`,
    `strategy Bad (${path}): informative must be a list of producer names, got "x"`,
    `strategy Bad (${path}): timeframe must be a freqtrade timeframe ('5m', '1h', ...), got "7x"`,
    `strategy Bad (${path}): candle_types must be a non-empty list of spot, futures, got ["mark"]`,
    `strategy Bad (${path}): columns must be a list of column names, got [1]`,
    `strategy Bad (${path}): can_short must be a boolean, got "yes"`,
    `strategy Bad (${path}): lookback must be a whole number of rows >= 1, got 0`,
    `strategy Bad (${path}): minimal_roi must be an object of minutes -> ratio, got {"ten":1}`,
    `strategy Bad (${path}): stoploss must be a negative ratio from -1 to 0, got 0.1`,
    `strategy Bad (${path}): parameters must be an object of numbers, strings and booleans, got {"a":[1]}`,
  ]);
  const notObject = moduleFile(t, 'fn.mjs', 'export default function populate() {}');
  assert.deepEqual(await problems(notObject), [`strategy ${notObject}: the export is function, not an object`]);
});

test('unknown or mistyped parameter overrides are problems (the timeframe override is the config schema\'s to check)', async () => {
  assert.deepEqual(await problems('RsiBollingerConsumer', { params: { buy_rsi: '30', sell: 70 } }), [
    'strategy RsiBollingerConsumer (built-in): parameter buy_rsi must be a number, got "30"',
    'strategy RsiBollingerConsumer (built-in) has no parameter "sell" (it has buy_rsi, sell_rsi)',
  ]);
});
