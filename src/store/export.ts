/**
 * `ft-edge export`: every held frame as an Arrow IPC file (readable by pyarrow, polars, duckdb) plus
 * manifest.json. Each file is written to a temporary name, synced and renamed; the old manifest is removed
 * first and the new one written last, so a directory with a manifest always holds a complete export.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tableToIPC, type Table } from './arrow.js';
import type { CandleType, PairKey } from '../wire/market.js';
import type { HeldKey } from './frame-store.js';

export interface ManifestFrame {
  key: [pair: string, timeframe: string, candleType: CandleType];
  producer: string;
  rows: number;
  first_date: string;
  last_date: string;
  la: string;
  file: string;
}

export interface Manifest {
  frames: ManifestFrame[];
  whitelist: Record<string, string[]>;
}

/** Reads one key at the instant it is called: its facts and a table over exactly those rows. */
export type FrameSource = () => { held: HeldKey; table: Table };

const MANIFEST = 'manifest.json';
/** Names this long or longer are shortened and made unique by a hash (file systems stop at 255 bytes). */
const MAX_NAME = 200;
let tmpCounter = 0;

export async function exportFrames(dir: string, sources: readonly FrameSource[], whitelists: ReadonlyMap<string, readonly string[]>): Promise<Manifest> {
  try {
    await mkdir(dir, { recursive: true });
    const manifestPath = join(dir, MANIFEST);
    const previous = await previousFiles(manifestPath);
    await rm(manifestPath, { force: true });
    const frames: ManifestFrame[] = [];
    for (const source of sources) {
      const { held, table } = source();
      const bytes = tableToIPC(table, 'file'); // serialized synchronously: the file matches `held`
      const file = frameFileName(held.producer, held.key);
      await writeAtomically(join(dir, file), bytes);
      frames.push({
        key: [held.key.pair, held.key.timeframe, held.key.candleType],
        producer: held.producer,
        rows: held.rows,
        first_date: new Date(held.firstDate).toISOString(),
        last_date: new Date(held.lastDate).toISOString(),
        la: held.la,
        file,
      });
    }
    const manifest: Manifest = { frames, whitelist: Object.fromEntries([...whitelists].map(([producer, pairs]) => [producer, [...pairs]])) };
    await writeAtomically(manifestPath, Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
    const current = new Set(frames.map((f) => f.file));
    for (const file of previous) if (!current.has(file)) await rm(join(dir, file), { force: true });
    return manifest;
  } catch (e) {
    throw new Error(`export to ${dir} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * A file name for a key, unique per (producer, key) and safe on any file system: letters, digits and '-'
 * are kept, every other byte becomes `_XX` (hex), and the parts are joined with '.', which never occurs
 * inside a part. Example: default.BTC_2FUSDT_3AUSDT.1h.futures.arrow
 */
export function frameFileName(producer: string, key: PairKey): string {
  const name = [producer, key.pair, key.timeframe, key.candleType].map(encodePart).join('.');
  if (name.length < MAX_NAME) return `${name}.arrow`;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 16);
  return `${name.slice(0, MAX_NAME - 20)}.${hash}.arrow`;
}

function encodePart(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9-]/.test(c) ? c : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Frame files named by an earlier manifest in `dir` (ours only: plain names ending in .arrow). */
async function previousFiles(manifestPath: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch {
    return [];
  }
  try {
    const frames: unknown = (JSON.parse(text) as { frames?: unknown }).frames;
    if (!Array.isArray(frames)) return [];
    return frames
      .map((f: unknown) => (typeof f === 'object' && f !== null ? (f as { file?: unknown }).file : undefined))
      .filter((f): f is string => typeof f === 'string' && /^[A-Za-z0-9_-][A-Za-z0-9._-]*\.arrow$/.test(f));
  } catch {
    return []; // not our manifest: leave the directory's other files alone
  }
}

async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}-${++tmpCounter}.tmp`;
  try {
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
