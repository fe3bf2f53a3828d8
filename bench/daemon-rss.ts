/**
 * RSS of the real daemon (`ft-edge run`, the compiled bin) holding 100 pairs x 1500 rows x 30 columns from a
 * demo producer in this process, with new candles arriving (one per pair per second) and the default strategy
 * trading on them. Read from /proc/PID/status (VmRSS = RssAnon + RssFile + RssShmem) once every key holds 1500
 * rows, then over a steady stretch; reported beside the raw column bytes (8 bytes per float64/date cell, 1 per
 * int8/bool, 4 per dict code, counted from the frames the daemon exports afterwards) and issue 2's target
 * 45 MB + 1.15 x raw.
 * The first run starts the bin the way the kernel runs its `#!/usr/bin/env ...` line (as systemd's
 * ExecStart=/usr/bin/ft-edge does), with this process's node first on PATH; the others show what other
 * launch lines would do (FT_EDGE_BENCH_LAUNCH='node --a;-S X=1 node' replaces those). A second run of the bin's
 * line with 30 pairs splits its RSS into a fixed part and a part per raw byte: the target's two terms.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from '../src/control/index.js';
import type { ExportResult } from '../src/control/index.js';
import { startDemoProducer } from '../src/demo/index.js';
import { Type, tableFromIPC } from '../src/store/arrow.js';
import type { Manifest } from '../src/export/index.js';
import { ENV, shebangArgument } from './_bin-launch.js';
import { procStatus, sleep, startDaemon, type MemoryFigures } from './_daemon.js';

const PAIRS = 100;
const ROWS = 1500;
const COLUMNS = 30;
const STEADY_MS = 20_000;
const MB = 1024 * 1024;
const TOKEN = 'bench-daemon-rss-token';
const VARIANTS: string[] = process.env['FT_EDGE_BENCH_LAUNCH']?.split(';').map((s) => s.trim()).filter((s) => s !== '') ??
  ['node', '-S node --max-semi-space-size=1'];

interface Measured {
  /** After all keys were full, the last sample of the steady stretch and the largest VmRSS seen in it. */
  last: MemoryFigures;
  peak: number;
  raw: number;
  fillMs: number;
}

/** Raw column bytes of the exported frames, by the Arrow type of each column. */
function rawBytes(dir: string, manifest: Manifest): number {
  let raw = 0;
  for (const f of manifest.frames) {
    const table = tableFromIPC(readFileSync(join(dir, f.file)));
    for (const field of table.schema.fields) {
      const t = field.type.typeId;
      const cell = t === Type.Float || t === Type.Timestamp ? 8 : t === Type.Int || t === Type.Bool ? 1 : t === Type.Dictionary ? 4 : NaN;
      raw += cell * table.numRows;
    }
  }
  return raw;
}

/** One daemon started as `/usr/bin/env LAUNCH main.js run`. */
async function measure(launch: string, pairs = PAIRS): Promise<Measured> {
  const tmp = mkdtempSync(join(tmpdir(), 'ft-edge-bench-rss-'));
  const producer = await startDemoProducer({
    token: TOKEN, pairs: Array.from({ length: pairs }, (_, i) => `P${String(i).padStart(3, '0')}/USDT`),
    history: ROWS, columns: COLUMNS, candleIntervalMs: 1000,
  });
  const config = {
    external_message_consumer: { enabled: true, producers: [{ name: 'default', host: '127.0.0.1', port: producer.port, ws_token: TOKEN }] },
    datadir: join(tmp, 'state'),
  };
  const daemon = startDaemon(launch, tmp, config);
  try {
    const t0 = performance.now();
    await daemon.waitFor((s) => s.producers[0]?.keys === pairs && s.producers[0].rows === pairs * ROWS, 'the daemon filling every key');
    const fillMs = performance.now() - t0;
    let peak = 0;
    let last = procStatus(daemon.child.pid!);
    for (let t = 0; t < STEADY_MS; t += 1000) {
      await sleep(1000);
      last = procStatus(daemon.child.pid!);
      peak = Math.max(peak, last.vmRss);
    }
    const exported = (await request(daemon.socket, 'export', {}, 60_000)) as ExportResult;
    const manifest = exported.manifest as Manifest;
    if (manifest.frames.length !== pairs || manifest.frames.some((f) => f.rows !== ROWS)) throw new Error('the export does not hold every key with 1500 rows');
    return { last, peak, raw: rawBytes(exported.dir, manifest), fillMs };
  } finally {
    await daemon.stop();
    await producer.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

const mb = (x: number): string => `${(x / MB).toFixed(1)} MB`;
const shipped = shebangArgument();
console.log(`ft-edge run holding ${PAIRS} pairs x ${ROWS} rows x ${COLUMNS} columns (demo producer, a candle per pair per second, ${STEADY_MS / 1000} s steady); target 45 MB + 1.15 x raw column bytes`);
const report = (name: string, m: Measured): void => {
  const target = 45 * MB + 1.15 * m.raw;
  const { vmRss, rssAnon, rssFile, rssShmem, pss } = m.last;
  console.log(`  ${name}: VmRSS ${mb(vmRss)} (peak ${mb(m.peak)}) for raw ${mb(m.raw)}: ${vmRss <= target ? 'within' : 'over'} target ${mb(target)}`);
  console.log(`    RssAnon ${mb(rssAnon)}, RssFile ${mb(rssFile)}, RssShmem ${mb(rssShmem)}, Pss ${mb(pss)}; RSS - 1.15 x raw = ${mb(vmRss - 1.15 * m.raw)} (target 45 MB); all keys full after ${(m.fillMs / 1000).toFixed(1)} s`);
};
let shippedRun: Measured | undefined;
for (const [i, launch] of [shipped, ...VARIANTS.filter((v) => v !== shipped)].entries()) {
  const name = `${ENV} ${launch}${i === 0 ? ' (the bin\'s #! line)' : ''}`;
  try {
    const m = await measure(launch);
    if (i === 0) shippedRun = m;
    report(name, m);
  } catch (e) {
    console.log(`  ${name}: failed: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
if (shippedRun !== undefined) {
  try {
    const small = await measure(shipped, 30);
    report(`the bin's #! line with 30 pairs`, small);
    const perByte = (shippedRun.last.vmRss - small.last.vmRss) / (shippedRun.raw - small.raw);
    console.log(`  the bin's #! line, 30 vs ${PAIRS} pairs: RSS = ${mb(small.last.vmRss - perByte * small.raw)} + ${perByte.toFixed(2)} x raw (target 45 MB + 1.15 x raw)`);
    const anonPerByte = (shippedRun.last.rssAnon - small.last.rssAnon) / (shippedRun.raw - small.raw);
    console.log(`    RssAnon = ${mb(small.last.rssAnon - anonPerByte * small.raw)} + ${anonPerByte.toFixed(2)} x raw (issue 14's target 19 MB + 1.0 x raw)`);
  } catch (e) {
    console.log(`  30 pairs: failed: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
