/**
 * Decoding speed on the real vectors: bare double JSON.parse (outer text, then the inner frame string: what a
 * naive consumer does) against parseEnvelope + FrameDecoder.decode on the same bytes, and against decode + store
 * (FrameStore.ingest with the store's hint, as the consumer does: a full frame replaces the key, the last row
 * appends). Median of many runs after warm-up; MB/s counts wire bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvelope } from '../src/wire/envelope.js';
import { FrameDecoder, type DecodeOptions } from '../src/wire/frame-decoder.js';
import type { ColumnKind } from '../src/protocol/index.js';
import { FrameStore } from '../src/store/index.js';
import { VECTORS_DIR } from '../test/helpers/vectors.js';
import { medians } from './_timing.js';

const decoder = new FrameDecoder();
const store = new FrameStore({ capacity: 1500 });
let sink = 0;

function doubleParse(msg: Buffer): void {
  const outer = JSON.parse(msg.toString('utf8')) as { data: { df: { __value__: string } } };
  const inner = JSON.parse(outer.data.df.__value__) as { data: unknown[] };
  sink += inner.data.length;
}

function decode(msg: Buffer, options: DecodeOptions): void {
  const env = parseEnvelope(msg);
  if (env.kind !== 'analyzed_df') throw new Error(`not an analyzed_df: ${env.kind}`);
  const r = decoder.decode(msg, env.frameStart, env.frameEnd, options);
  if (!r.ok) throw new Error(r.reason);
  sink += decoder.frame.rows;
}

/** parseEnvelope + decode + ingest, as the consumer does (the store's hint included). */
function decodeStore(msg: Buffer): void {
  const env = parseEnvelope(msg);
  if (env.kind !== 'analyzed_df') throw new Error(`not an analyzed_df: ${env.kind}`);
  const r = decoder.decode(msg, env.frameStart, env.frameEnd, { hint: store.kinds('default', env.key), removeSignals: false });
  if (!r.ok) throw new Error(r.reason);
  const outcome = store.ingest('default', env.key, env.la, decoder.frame);
  if (outcome.action !== 'replaced' && outcome.action !== 'appended') throw new Error(`ingest gave ${outcome.action}`);
}

/** The kinds of a decoded frame: what the store passes back as the hint once it holds the key. */
function kinds(): ReadonlyMap<string, ColumnKind> {
  return new Map(decoder.frame.columns.map((c) => [c.name, c.kind]));
}

function report(name: string, inner: number, runs: number): void {
  const msg = readFileSync(join(VECTORS_DIR, `${name}.wire`));
  const first: DecodeOptions = { removeSignals: false };
  decode(msg, first);
  const held: DecodeOptions = { removeSignals: false, hint: kinds() };
  for (let i = 0; i < 300; i++) { doubleParse(msg); decode(msg, first); decode(msg, held); decodeStore(msg); } // warm-up
  const [tJson, tFirst] = medians(() => doubleParse(msg), () => decode(msg, first), inner, runs);
  const [tJson2, tHeld] = medians(() => doubleParse(msg), () => decode(msg, held), inner, runs);
  const [tJson3, tStored] = medians(() => doubleParse(msg), () => decodeStore(msg), inner, runs);
  const json = Math.min(tJson, tJson2, tJson3);
  const line = (what: string, us: number): string =>
    `  ${what.padEnd(34)} ${us.toFixed(2).padStart(9)} us  ${(msg.length / us).toFixed(0).padStart(5)} MB/s` + // bytes/us = MB/s
    (us === json ? '' : `  (${(us / json * 100).toFixed(0)}% of JSON.parse)`);
  console.log(`${name} (${msg.length} bytes, ${decoder.frame.rows} rows x ${decoder.frame.columns.length + 1} columns)`);
  console.log(line('double JSON.parse (outer, inner)', json));
  console.log(line('parseEnvelope + decode, no hint', tFirst));
  console.log(line('parseEnvelope + decode, store hint', tHeld));
  console.log(line('parseEnvelope + decode + store', tStored));
}

report('analyzed_df_full_1500', 1, 300); // the store then holds the full frame,
report('analyzed_df_incremental_1row', 200, 300); // so the one-row message (its last candle, re-sent) appends
if (sink < 0) console.log(sink);
