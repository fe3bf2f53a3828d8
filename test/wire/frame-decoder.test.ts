import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ColumnKind, DecodedColumn, DecodedFrame } from '../../src/protocol/index.js';
import { parseEnvelope } from '../../src/wire/envelope.js';
import { FrameDecoder, type DecodeOptions, type DecodeResult } from '../../src/wire/frame-decoder.js';
import { VECTORS_DIR } from '../helpers/vectors.js';

const D0 = 1729761300000;
const STEP = 300_000;

/** An analyzed_df message around `inner` (frame text as the producer writes it, or an object to serialize). */
function message(inner: string | object): Buffer {
  const text = typeof inner === 'string' ? inner : JSON.stringify(inner);
  return Buffer.from(JSON.stringify({
    type: 'analyzed_df',
    data: { key: ['BTC/USDT', '5m', 'spot'], df: { __type__: 'dataframe', __value__: text }, la: '2024-10-24T09:29:03+00:00' },
  }));
}

function decodeMsg(msg: Buffer, opts: Partial<DecodeOptions> = {}, decoder = new FrameDecoder()): DecodeResult {
  const env = parseEnvelope(msg);
  assert.equal(env.kind, 'analyzed_df', JSON.stringify(env));
  if (env.kind !== 'analyzed_df') throw new Error('unreachable');
  return decoder.decode(msg, env.frameStart, env.frameEnd, { removeSignals: false, ...opts });
}

/** Decodes and returns column -> [kind, values] (null, number, string), with date first. */
function table(inner: string | object, opts: Partial<DecodeOptions> = {}, decoder = new FrameDecoder()): Record<string, unknown[]> {
  const r = decodeMsg(message(inner), opts, decoder);
  assert.deepEqual(r, { ok: true });
  return tableOf(decoder.frame);
}

function cellOf(col: DecodedColumn, r: number): number | string | null {
  if (col.valid[r] === 0) return null;
  if (col.kind === 'float64') return col.f64[r]!;
  if (col.kind === 'dict') return col.dictionary[col.codes[r]!]!;
  return col.i8[r]!;
}

function tableOf(frame: DecodedFrame): Record<string, unknown[]> {
  const t: Record<string, unknown[]> = { date: Array.from(frame.dates.subarray(0, frame.rows)) };
  for (const col of frame.columns) t[col.name] = [col.kind, ...Array.from({ length: frame.rows }, (_, r) => cellOf(col, r))];
  return t;
}

function reason(inner: string | object, opts: Partial<DecodeOptions> = {}): string {
  const decoder = new FrameDecoder();
  const r = decodeMsg(message(inner), opts, decoder);
  assert.equal(r.ok, false, `decoded: ${JSON.stringify(tableOf(decoder.frame))}`);
  assert.equal(decoder.frame.rows, 0);
  assert.equal(decoder.frame.columns.length, 0);
  return r.ok ? '' : r.reason;
}

function split(columns: string[], rows: unknown[][]): object {
  return { columns, index: rows.map((_, i) => i), data: rows };
}

const dates = (n: number): number[] => Array.from({ length: n }, (_, i) => D0 + i * STEP);

test('numbers, nulls, signals and tags go to their columns', () => {
  const t = table(split(['date', 'close', 'enter_long', 'enter_tag'], [[D0, 1.5, 1, 'a'], [D0 + STEP, null, 0, null]]));
  assert.deepEqual(t, {
    date: [D0, D0 + STEP], close: ['float64', 1.5, null], enter_long: ['int8', 1, 0], enter_tag: ['dict', 'a', null],
  });
});

test('ragged rows are refused with the row and counts', () => {
  assert.equal(reason(split(['date', 'a', 'b'], [[D0, 1, 2], [D0, 1]])), 'ragged row 1: 2 values for 3 columns');
  assert.equal(reason(split(['date', 'a', 'b'], [[D0, 1, 2, 3, [4]]])), 'ragged row 0: 5 values for 3 columns');
  assert.equal(reason(split(['date', 'a'], [[]])), 'ragged row 0: 0 values for 2 columns');
});

test('NaN, Infinity and -Infinity literals are null; numbers beyond the double range too; huge integers are refused', () => {
  const inner = '{"columns":["date","a","enter_long"],"index":[0,1,2,3],"data":[[1,NaN,NaN],[2,Infinity,1],[3,-Infinity,-Infinity],[4,1e400,0]]}';
  assert.deepEqual(table(inner), { date: [1, 2, 3, 4], a: ['float64', null, null, null, null], enter_long: ['int8', null, 1, null, 0] });
  assert.deepEqual(table('{"columns":["date","a"],"index":[0],"data":[[1,-1e400]]}').a, ['float64', null]);
  assert.deepEqual(table('{"columns":["date","a"],"index":[0],"data":[[1,18446744073709551615]]}').a, ['float64', 18446744073709551615]);
  assert.match(reason('{"columns":["date","a"],"index":[0],"data":[[1,18446744073709551616]]}'), /^integer out of range/);
  assert.match(reason('{"columns":["date","a"],"index":[0],"data":[[1,-9223372036854775809]]}'), /^integer out of range/);
  assert.deepEqual(table('{"columns":["date","a"],"index":[0],"data":[[1,99999999999999999999.5]]}').a, ['float64', 99999999999999999999.5]);
});

test('column names and strings with escapes, non-ASCII and surrogate pairs', () => {
  const inner = '{"columns":["date","\\u00fcber","a\\/b","q\\"uote","tab\\tx","\\ud83d\\ude80","enter_tag"],"index":[0,1,2],' +
    '"data":[[1,1,2,3,4,5,"long\\/rsi"],[2,1,2,3,4,5,"caf\\u00e9 \\ud83d\\ude80 \\"q\\" \\\\"],[3,1,2,3,4,5,"long/rsi"]]}';
  const t = table(inner);
  assert.deepEqual(Object.keys(t), ['date', ...(JSON.parse(inner) as { columns: string[] }).columns.slice(1)]);
  assert.deepEqual(Object.keys(t), ['date', 'über', 'a/b', 'q"uote', 'tab\tx', '🚀', 'enter_tag']);
  assert.deepEqual(t['enter_tag'], ['dict', 'long/rsi', 'café 🚀 "q" \\', 'long/rsi']);
});

test('tags are deduplicated per column: one dictionary entry per distinct string, whatever its escaping', () => {
  const decoder = new FrameDecoder();
  const rows = dates(40).map((d, i) => [d, i % 2 === 0 ? 'x/y' : `t${i % 20}`]);
  const inner = JSON.stringify(split(['date', 'enter_tag'], rows)).replaceAll('x/y', 'x\\/y').replace('"x\\/y"', '"x/y"');
  assert.deepEqual(decodeMsg(message(inner), {}, decoder), { ok: true });
  const col = decoder.frame.columns[0]!;
  assert.deepEqual(col.dictionary, ['x/y', ...Array.from({ length: 10 }, (_, i) => `t${2 * i + 1}`)]);
  for (let r = 0; r < 40; r++) assert.equal(col.dictionary[col.codes[r]!], r % 2 === 0 ? 'x/y' : `t${r % 20}`);
});

test('pretty-printed frame text, outer \\u escapes of non-ASCII, raw UTF-8 in the frame', () => {
  const obj = split(['date', 'close', 'enter_tag'], [[D0, 1.25, 'müde'], [D0 + STEP, -0.5, '🚀']]);
  const expected = { date: [D0, D0 + STEP], close: ['float64', 1.25, -0.5], enter_tag: ['dict', 'müde', '🚀'] };
  assert.deepEqual(table(JSON.stringify(obj, null, 2)), expected); // newlines arrive as \n of the outer string
  assert.deepEqual(table(obj), expected); // raw UTF-8 inside the frame text
  const ascii = Buffer.from(message(obj).toString().replace(/[^\x00-\x7f]/gu, (c) =>
    c.split('').map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')));
  const d = new FrameDecoder();
  assert.deepEqual(decodeMsg(ascii, {}, d), { ok: true });
  assert.deepEqual(tableOf(d.frame), expected);
});

test('values that are not scalars, and frames that are not split orient, are refused', () => {
  assert.match(reason(split(['date', 'a'], [[D0, [1]]])), /^unsupported value \(list or object\) in row 0/);
  assert.match(reason(split(['date', 'a'], [[D0, { x: 1 }]])), /^unsupported value/);
  assert.match(reason('{"index":[0],"data":[[1]]}'), /^frame has no "columns"/);
  assert.match(reason('{"columns":["date"],"index":[0]}'), /^frame has no "data"/);
  assert.match(reason('{"name":"x","index":[0],"data":[1]}'), /^unexpected member \(not a split-orient frame\)/);
  assert.match(reason('{"columns":["date"],"index":[0],"data":{"0":[1]}}'), /^"data" is not a list/);
  assert.match(reason('{"columns":"date","index":[0],"data":[[1]]}'), /^"columns" is not a list/);
  assert.match(reason('{"columns":["date",5],"index":[0],"data":[[1,2]]}'), /^column name 1 is not a string/);
  assert.match(reason('{"columns":["date"],"index":[0],"data":[1]}'), /^row 0 is not a list/);
  assert.match(reason('[[1]]'), /^frame is not a JSON object/);
  assert.match(reason('{"columns":["date"],"index":[0],"data":[[1]]} x'), /^text after the frame/);
  assert.match(reason('{"columns":["date"],"index":[0],"data":[[1]],"data":[[1]]}'), /^duplicate "data"/);
  assert.match(reason('{"columns":["date"],"index":[0,1],"data":[[1]]}'), /^"index" has 2 labels for 1 rows/);
  assert.match(reason(split(['date', 'a', 'a'], [[D0, 1, 2]])), /^duplicate column "a"/);
  assert.match(reason('{"columns":["date"],"index":[0],"data":[[1]]'), /truncated frame/);
  assert.match(reason(`{"columns":[${'"c",'.repeat(20_000)}"date"],"data":[]}`), /^more than 16384 columns/);
});

test('date must be present as integer epoch milliseconds', () => {
  assert.equal(reason(split(['close'], [[1]])), 'frame has no "date" column');
  assert.match(reason(split(['date'], [[null]])), /^date in row 0 is not an integer of epoch milliseconds/);
  assert.match(reason(split(['date'], [[D0], [1.5]])), /^date in row 1 is not/);
  assert.match(reason(split(['date'], [['2024-10-24']])), /^date in row 0 is not/);
  assert.match(reason(split(['date'], [[1e300]])), /^date in row 0 is not/);
  assert.deepEqual(table('{"columns":["date"],"index":[0],"data":[[1729761300000.0]]}').date, [D0]);
});

test('empty frames decode with zero rows; member order and a missing index do not matter', () => {
  assert.deepEqual(table('{"columns":[],"index":[],"data":[]}'), { date: [] });
  assert.deepEqual(table(split(['date', 'close', 'enter_tag'], [])), { date: [], close: ['float64'], enter_tag: ['dict'] });
  const expected = { date: [1, 2], a: ['float64', 3, 4] };
  assert.deepEqual(table('{"data":[[1,3],[2,4]],"index":[0,1],"columns":["date","a"]}'), expected);
  assert.deepEqual(table('{"columns":["date","a"],"data":[[1,3],[2,4]]}'), expected);
  assert.deepEqual(table('{"columns":["date","a"],"data":[[1,3],[2,4]],"index":[[0,"x"],[1,"y"]]}'), expected);
});

test('kinds without a hint: signals int8 unless they hold other numbers, booleans bool, text dict, nulls float64', () => {
  const t = table(split(
    ['date', 'enter_long', 'exit_long', 'enter_short', 'exit_short', 'flag', 'mixed_bool', 'label', 'nothing', 'exit_tag'],
    [[D0, 1, 1.0, 1, null, true, true, 'up', null, null], [D0 + STEP, 0, null, 0.5, null, false, 2.5, null, null, null]],
  ));
  assert.deepEqual(t, {
    date: [D0, D0 + STEP],
    enter_long: ['int8', 1, 0], exit_long: ['int8', 1, null], enter_short: ['float64', 1, 0.5], exit_short: ['int8', null, null],
    flag: ['bool', 1, 0], mixed_bool: ['float64', 1, 2.5], label: ['dict', 'up', null], nothing: ['float64', null, null],
    exit_tag: ['dict', null, null],
  });
  assert.equal(reason(split(['date', 'x'], [[D0, 1], [D0, 'a']])), 'column "x" mixes text and numbers (row 1)');
  assert.equal(reason(split(['date', 'x'], [[D0, 'a'], [D0, true]])), 'column "x" mixes text and numbers (row 1)');
});

test('hints keep a key\'s kinds stable; a value that does not fit decodes the message again without hints', () => {
  const hint = (h: Record<string, ColumnKind>): Partial<DecodeOptions> => ({ hint: new Map(Object.entries(h)) });
  const frame = split(['date', 'enter_long', 'flag', 'enter_tag', 'v'], [[D0, 0, 1, null, 1], [D0 + STEP, 1, 0, null, 0]]);
  assert.deepEqual(table(frame, hint({ enter_long: 'float64', flag: 'bool', enter_tag: 'dict', v: 'int8', other: 'dict' })), {
    date: [D0, D0 + STEP], enter_long: ['float64', 0, 1], flag: ['bool', 1, 0], enter_tag: ['dict', null, null], v: ['int8', 1, 0],
  });
  // without these hints: flag has numbers (float64), v too
  assert.deepEqual(table(frame).flag, ['float64', 1, 0]);
  const mixed = split(['date', 'enter_long', 'enter_tag', 'x'], [[D0, 0.5, 3, 'a']]);
  assert.deepEqual(table(mixed, hint({ enter_long: 'int8' })).enter_long, ['float64', 0.5]);
  assert.deepEqual(table(mixed, hint({ enter_tag: 'dict' })).enter_tag, ['float64', 3]);
  assert.deepEqual(table(mixed, hint({ x: 'float64' })).x, ['dict', 'a']);
  assert.deepEqual(table(split(['date', 'b'], [[D0, 2]]), hint({ b: 'bool' })).b, ['float64', 2]);
  assert.deepEqual(table(split(['date', 'b'], [[D0, true]]), hint({ b: 'float64' })).b, ['float64', 1]);
});

test('projection keeps date, OHLCV and the listed columns, in wire order', () => {
  const cols = ['date', 'open', 'rsi', 'high', 'low', 'close', 'volume', 'tema', 'enter_tag', 'enter_long'];
  const frame = split(cols, [[D0, 1, 2, 3, 4, 5, 6, 7, 'x', 1]]);
  assert.deepEqual(table(frame, { keep: new Set(['rsi', 'enter_long', 'absent']) }), {
    date: [D0], open: ['float64', 1], rsi: ['float64', 2], high: ['float64', 3], low: ['float64', 4], close: ['float64', 5],
    volume: ['float64', 6], enter_long: ['int8', 1],
  });
  assert.deepEqual(Object.keys(table(frame, { keep: null })), cols);
  // dropped columns are still checked
  assert.match(reason('{"columns":["date","tema"],"index":[0],"data":[[1,1.e5]]}', { keep: new Set() }), /^malformed number/);
});

test('removeSignals: signals 0, tags null, the missing ones appended in freqtrade\'s order, before projection', () => {
  const frame = split(['date', 'close', 'exit_tag', 'enter_long'], [[D0, 1, 'x', 1], [D0 + STEP, 2, null, null]]);
  assert.deepEqual(table(frame, { removeSignals: true, hint: new Map([['enter_long', 'float64']]) }), {
    date: [D0, D0 + STEP], close: ['float64', 1, 2], exit_tag: ['dict', null, null], enter_long: ['int8', 0, 0],
    exit_long: ['int8', 0, 0], enter_short: ['int8', 0, 0], exit_short: ['int8', 0, 0], enter_tag: ['dict', null, null],
  });
  assert.deepEqual(Object.keys(table(frame, { removeSignals: true, keep: new Set(['enter_short']) })),
    ['date', 'close', 'enter_short']);
  assert.deepEqual(table(split(['date'], []), { removeSignals: true }).enter_long, ['int8']);
});

test('a frame text that ends anywhere early fails cleanly, and the decoder stays usable', () => {
  const inner = JSON.stringify(split(['date', 'close', 'enter_tag'], [[D0, 30100.25, 'a\\b'], [D0 + STEP, -1.5e-7, null]]));
  const msg = message(inner);
  const env = parseEnvelope(msg);
  assert.equal(env.kind, 'analyzed_df');
  if (env.kind !== 'analyzed_df') return;
  const decoder = new FrameDecoder();
  const good = (): void => {
    assert.deepEqual(decoder.decode(msg, env.frameStart, env.frameEnd, { removeSignals: false }), { ok: true });
    assert.deepEqual(tableOf(decoder.frame), {
      date: [D0, D0 + STEP], close: ['float64', 30100.25, -1.5e-7], enter_tag: ['dict', 'a\\b', null],
    });
  };
  good();
  for (let end = env.frameStart; end < env.frameEnd; end++) {
    const r = decoder.decode(msg, env.frameStart, end, { removeSignals: false });
    assert.equal(r.ok, false, `cut at ${end - env.frameStart}: ${msg.toString('latin1', env.frameStart, end)}`);
  }
  good();
});

test('one decoder across messages of different sizes and columns gives what a fresh one gives', () => {
  const wire = (name: string): Buffer => readFileSync(join(VECTORS_DIR, `${name}.wire`));
  const msgs = [
    wire('analyzed_df_full_1500'), wire('analyzed_df_incremental_1row'), wire('analyzed_df_empty'),
    message(split(['date', 'x'], [[D0, 1], [D0, 'a']])), wire('analyzed_df_incremental_1row'), wire('analyzed_df_string_tags'),
    message('{"columns":["date","close"],"index":[0],"data":[[1,2'), wire('analyzed_df_loc_signals'), wire('analyzed_df_full_1500'),
    wire('analyzed_df_booleans'), wire('analyzed_df_nan_null'),
  ];
  const shared = new FrameDecoder();
  for (const [i, msg] of msgs.entries()) {
    const fresh = new FrameDecoder();
    const a = decodeMsg(msg, {}, shared);
    const b = decodeMsg(msg, {}, fresh);
    assert.deepEqual(a, b, `message ${i}`);
    assert.deepEqual(tableOf(shared.frame), tableOf(fresh.frame), `message ${i}`);
  }
});

test('a frame without an index grows its arrays; a small frame after a huge one does not keep the huge arrays', () => {
  const decoder = new FrameDecoder();
  const rows = dates(10_000).map((d, i) => [d, i / 4]);
  const big = table(`{"columns":["date","v"],"data":${JSON.stringify(rows)}}`, {}, decoder);
  assert.equal(big['v']!.length, 10_001);
  assert.equal(big['v']![9_999 + 1], 9_999 / 4);
  assert.deepEqual(table(split(['date', 'v'], [[D0, 1]]), {}, decoder), { date: [D0], v: ['float64', 1] });
  assert.ok(decoder.frame.dates.length < 100 && decoder.frame.columns[0]!.f64.length < 100);
});

test('pandas-formatted random doubles decode to exactly what JSON.parse gives', () => {
  let seed = 42;
  const rand = (): number => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const texts: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const v = (rand() < 0.5 ? -1 : 1) * rand() * 10 ** Math.floor(rand() * 40 - 20);
    const abs = Math.abs(v);
    if (abs >= 1e16 || (abs < 1e-15 && abs !== 0)) texts.push(v.toExponential(9).replace(/\.?0+e/, 'e'));
    else texts.push(v.toFixed(10).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '.0'));
  }
  const rows = texts.map((t, i) => `[${D0 + i * STEP},${t}]`);
  const t = table(`{"columns":["date","v"],"index":[${texts.map((_, i) => i).join(',')}],"data":[${rows.join(',')}]}`);
  texts.forEach((text, i) => assert.ok(Object.is(t['v']![i + 1], JSON.parse(text)), `${text}: ${t['v']![i + 1]}`));
});
