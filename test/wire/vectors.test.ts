import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DecodedColumn, DecodedFrame } from '../../src/protocol/index.js';
import { parseEnvelope, type Envelope } from '../../src/wire/envelope.js';
import { FrameDecoder } from '../../src/wire/frame-decoder.js';
import { VECTORS_DIR } from '../helpers/vectors.js';

// The shared producer vectors: every message classified as its expected.json says, every frame decoded to its
// values with exact_overrides applied (ft-edge rounds correctly, pandas does not).

type Cell = number | string | boolean | null;
interface Expected {
  name: string;
  direction: string;
  consumer?: { outcome: string };
  key?: [string, string, string];
  la?: { iso: string; epoch_ms: number };
  df?: {
    columns: string[];
    rows: number;
    values: Record<string, Cell[]>;
    exact_overrides: Record<string, Record<string, number>>;
  };
}

const vectors = readdirSync(VECTORS_DIR).filter((f) => f.endsWith('.wire')).sort().map((f) => {
  const name = f.slice(0, -'.wire'.length);
  return {
    name,
    msg: readFileSync(join(VECTORS_DIR, f)),
    expected: JSON.parse(readFileSync(join(VECTORS_DIR, `${name}.expected.json`), 'utf8')) as Expected,
  };
});

/** The envelope kind (and frame outcome) each consumer outcome of the vectors stands for. */
const ENVELOPE_KIND: Record<string, Envelope['kind']> = {
  whitelist: 'whitelist', replace: 'analyzed_df', append: 'analyzed_df', ignored_empty: 'analyzed_df',
  unhandled: 'ignored', invalid: 'invalid', empty_message: 'empty',
};

/** A decoded cell as a comparable value: null, number (bool and int8 as 0/1) or string. */
function cellOf(col: DecodedColumn, r: number): number | string | null {
  if (col.valid[r] === 0) return null;
  switch (col.kind) {
    case 'float64': return col.f64[r]!;
    case 'int8': case 'bool': return col.i8[r]!;
    case 'dict': return col.dictionary[col.codes[r]!]!;
  }
}

function expectedCell(v: Cell): number | string | null {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

function assertFrame(frame: DecodedFrame, df: NonNullable<Expected['df']>, name: string): void {
  assert.equal(frame.rows, df.rows, `${name}: rows`);
  assert.deepEqual(['date', ...frame.columns.map((c) => c.name)].filter((n) => df.columns.length > 0 || n !== 'date'),
    df.columns, `${name}: columns`);
  for (let r = 0; r < df.rows; r++) assert.equal(frame.dates[r], df.values['date']![r], `${name}: date row ${r}`);
  for (const col of frame.columns) {
    const values = df.values[col.name]!.slice();
    for (const [row, v] of Object.entries(df.exact_overrides[col.name] ?? {})) values[Number(row)] = v;
    for (let r = 0; r < df.rows; r++) {
      assert.equal(cellOf(col, r), expectedCell(values[r]!), `${name}: ${col.name} row ${r} (${col.kind})`);
    }
  }
}

const producerVectors = vectors.filter((v) => v.expected.direction === 'producer_to_consumer');

test('there are producer vectors to check', () => {
  assert.ok(producerVectors.length >= 25, `${producerVectors.length} vectors in ${VECTORS_DIR}`);
});

for (const { name, msg, expected } of producerVectors) {
  test(`vector ${name}: ${expected.consumer!.outcome}`, () => {
    const outcome = expected.consumer!.outcome;
    const env = parseEnvelope(msg);
    if (outcome === 'decode_error') {
      if (env.kind === 'undecodable') return;
      assert.equal(env.kind, 'analyzed_df', `${name}: ${JSON.stringify(env)}`);
      if (env.kind !== 'analyzed_df') return;
      const r = new FrameDecoder().decode(msg, env.frameStart, env.frameEnd, { removeSignals: false });
      assert.equal(r.ok, false);
      return;
    }
    assert.equal(env.kind, ENVELOPE_KIND[outcome], `${name}: ${JSON.stringify(env)}`);
    if (env.kind === 'whitelist') assert.deepEqual(env.pairs, JSON.parse(msg.toString()).data);
    if (env.kind === 'ignored' || env.kind === 'empty') assert.equal(env.type, JSON.parse(msg.toString()).type);
    if (env.kind !== 'analyzed_df') return;

    assert.deepEqual([env.key.pair, env.key.timeframe, env.key.candleType], expected.key);
    assert.equal(env.la, expected.la!.iso);
    assert.equal(env.laMs, expected.la!.epoch_ms);
    const decoder = new FrameDecoder();
    const r = decoder.decode(msg, env.frameStart, env.frameEnd, { removeSignals: false });
    assert.deepEqual(r, { ok: true });
    assertFrame(decoder.frame, expected.df!, name);
    assert.equal(decoder.frame.rows === 0, outcome === 'ignored_empty');
    assert.equal(decoder.frame.rows >= 100, outcome === 'replace');
  });
}

test('every frame of the vectors equals JSON.parse of its text, cell by cell', () => {
  const decoder = new FrameDecoder(); // one decoder for all: reuse across sizes must not leak between messages
  for (const { name, msg } of producerVectors) {
    const env = parseEnvelope(msg);
    if (env.kind !== 'analyzed_df') continue;
    const inner = JSON.parse(JSON.parse(msg.toString()).data.df.__value__) as { columns: string[]; data: Cell[][] };
    const r = decoder.decode(msg, env.frameStart, env.frameEnd, { removeSignals: false });
    if (!r.ok) {
      assert.ok(name.startsWith('undecodable_'), `${name}: ${r.reason}`);
      continue;
    }
    const frame = decoder.frame;
    assert.equal(frame.rows, inner.data.length, name);
    for (const col of frame.columns) {
      const k = inner.columns.indexOf(col.name);
      for (let r2 = 0; r2 < frame.rows; r2++) {
        const v = inner.data[r2]![k]!;
        const got = cellOf(col, r2);
        if (typeof v === 'number' && !Number.isFinite(v)) assert.equal(got, null, `${name} ${col.name} ${r2}`); // beyond double range
        else assert.equal(got, expectedCell(v), `${name} ${col.name} ${r2}`);
      }
    }
  }
});

test('column kinds follow ft-edge rules, not pandas dtypes', () => {
  const kinds = (name: string): Record<string, string> => {
    const v = vectors.find((x) => x.name === name)!;
    const env = parseEnvelope(v.msg);
    assert.equal(env.kind, 'analyzed_df');
    if (env.kind !== 'analyzed_df') return {};
    const d = new FrameDecoder();
    assert.deepEqual(d.decode(v.msg, env.frameStart, env.frameEnd, { removeSignals: false }), { ok: true });
    return Object.fromEntries(d.frame.columns.map((c) => [c.name, c.kind]));
  };
  const full = kinds('analyzed_df_full_1500');
  assert.equal(full['enter_long'], 'int8');
  assert.equal(full['exit_short'], 'int8');
  assert.equal(full['enter_tag'], 'dict');
  assert.equal(full['volume'], 'float64');
  const loc = kinds('analyzed_df_loc_signals'); // 1.0/null signals and "" tags
  assert.equal(loc['enter_long'], 'int8');
  assert.equal(loc['enter_tag'], 'dict');
  const bools = kinds('analyzed_df_booleans');
  assert.deepEqual(bools, { close: 'float64', is_green: 'bool', flag_with_null: 'bool', all_null: 'float64' });
  const tags = kinds('analyzed_df_string_tags'); // the all-null tag column stays text
  assert.deepEqual(tags, { close: 'float64', enter_long: 'int8', enter_tag: 'dict', exit_tag: 'dict' });
  const odd = kinds('analyzed_df_odd_columns'); // *_time columns stay numbers; integers stay float64
  assert.equal(odd['close_time'], 'float64');
  assert.equal(odd['do_predict'], 'float64');
});
