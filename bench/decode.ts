/**
 * Decoding speed on the real vectors: bare double JSON.parse (outer text, then the inner frame string: what a
 * naive consumer does) against parseEnvelope + FrameDecoder.decode on the same bytes. Median of many runs after
 * warm-up; MB/s counts wire bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvelope } from '../src/wire/envelope.js';
import { FrameDecoder } from '../src/wire/frame-decoder.js';

const VECTORS = process.env['FT_EDGE_VECTORS'] ?? '/work/shared/vectors';

/**
 * Median microseconds per call of `a` and of `b`, timed alternately (`inner` calls per sample) so that load from
 * other processes hits both alike.
 */
function medians(a: () => void, b: () => void, inner: number, runs: number): [number, number] {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    let s = process.hrtime.bigint();
    for (let j = 0; j < inner; j++) a();
    ta.push(Number(process.hrtime.bigint() - s) / inner / 1e3);
    s = process.hrtime.bigint();
    for (let j = 0; j < inner; j++) b();
    tb.push(Number(process.hrtime.bigint() - s) / inner / 1e3);
  }
  const mid = (t: number[]): number => t.sort((x, y) => x - y)[t.length >> 1]!;
  return [mid(ta), mid(tb)];
}

const decoder = new FrameDecoder();
const options = { removeSignals: false };
let sink = 0;

function doubleParse(msg: Buffer): void {
  const outer = JSON.parse(msg.toString('utf8')) as { data: { df: { __value__: string } } };
  const inner = JSON.parse(outer.data.df.__value__) as { data: unknown[] };
  sink += inner.data.length;
}

function decode(msg: Buffer): void {
  const env = parseEnvelope(msg);
  if (env.kind !== 'analyzed_df') throw new Error(`not an analyzed_df: ${env.kind}`);
  const r = decoder.decode(msg, env.frameStart, env.frameEnd, options);
  if (!r.ok) throw new Error(r.reason);
  sink += decoder.frame.rows;
}

function report(name: string, inner: number, runs: number): void {
  const msg = readFileSync(join(VECTORS, `${name}.wire`));
  for (let i = 0; i < 300; i++) { doubleParse(msg); decode(msg); } // warm-up: both paths optimized
  const [tJson, tDecode] = medians(() => doubleParse(msg), () => decode(msg), inner, runs);
  const mbps = (us: number): string => (msg.length / us).toFixed(0); // bytes/us = MB/s
  console.log(`${name} (${msg.length} bytes, ${decoder.frame.rows} rows x ${decoder.frame.columns.length + 1} columns)`);
  console.log(`  double JSON.parse           ${tJson.toFixed(2).padStart(9)} us  ${mbps(tJson).padStart(5)} MB/s`);
  console.log(`  parseEnvelope + decode      ${tDecode.toFixed(2).padStart(9)} us  ${mbps(tDecode).padStart(5)} MB/s  (${(tDecode / tJson * 100).toFixed(0)}% of JSON.parse)`);
}

report('analyzed_df_full_1500', 1, 400);
report('analyzed_df_incremental_1row', 200, 400);
if (sink < 0) console.log(sink);
