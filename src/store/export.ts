/**
 * `ft-edge export`: every held frame as an Arrow IPC file (readable by pyarrow, polars, duckdb) plus
 * manifest.json. Each file is written to a temporary name, synced and renamed; the old manifest is removed
 * first and the new one written last, so a directory with a manifest always holds a complete export. The
 * temporary files of an export whose process died mid-write are removed by the next export into that directory.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
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

interface ExportFile {
  readonly file: string;
  readonly bytes: Uint8Array;
}

export async function exportFrames(dir: string, sources: readonly FrameSource[], whitelists: ReadonlyMap<string, readonly string[]>): Promise<Manifest> {
  const manifest: Manifest = { frames: [], whitelist: Object.fromEntries([...whitelists].map(([producer, pairs]) => [producer, [...pairs]])) };
  // A key is read and serialized in one synchronous step just before its file is written: the table is a view
  // of the live ring, and the file must match its manifest entry.
  const files = sources.map((source) => async (): Promise<ExportFile> => {
      const { held, table } = source();
      const file = frameFileName(held.producer, held.key);
      manifest.frames.push({
        key: [held.key.pair, held.key.timeframe, held.key.candleType],
        producer: held.producer,
        rows: held.rows,
        first_date: new Date(held.firstDate).toISOString(),
        last_date: new Date(held.lastDate).toISOString(),
        la: held.la,
        file,
      });
      return { file, bytes: tableToIPC(table, 'file') };
  });
  await publish(dir, files, manifest);
  return manifest;
}

/**
 * Copies a complete export (as exportFrames wrote it) from `from` to `to` with the same guarantees. This is how
 * `ft-edge export` hands a user the files: the daemon writes into its own state directory, which its sandbox
 * lets it write (a path of the user's choosing may be read-only, or the daemon's private /tmp, to it).
 */
export async function copyExport(from: string, to: string): Promise<Manifest> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(from, MANIFEST), 'utf8')) as Manifest;
  } catch (e) {
    throw new Error(`cannot read the daemon's export in ${from}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const files = manifest.frames.map((f) => async (): Promise<ExportFile> => {
    if (!isFrameFileName(f.file)) throw new Error(`${from}/${MANIFEST} names an unexpected file ${JSON.stringify(f.file)}`);
    return { file: f.file, bytes: await readFile(join(from, f.file)) };
  });
  await publish(to, files, manifest);
  return manifest;
}

/** Writes the frame files one by one, then the manifest (complete by then); removes what an earlier manifest in `dir` listed and this one does not. */
async function publish(dir: string, files: readonly (() => Promise<ExportFile>)[], manifest: Manifest): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await removeOrphanedTempFiles(dir);
    const manifestPath = join(dir, MANIFEST);
    const previous = await previousFiles(manifestPath);
    await rm(manifestPath, { force: true });
    const current = new Set<string>();
    for (const f of files) {
      const { file, bytes } = await f();
      await writeAtomically(join(dir, file), bytes);
      current.add(file);
    }
    await writeAtomically(manifestPath, Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
    for (const file of previous) if (!current.has(file)) await rm(join(dir, file), { force: true });
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
      .filter(isFrameFileName);
  } catch {
    return []; // not our manifest: leave the directory's other files alone
  }
}

/** What frameFileName makes: a plain name in the export directory, never a path. */
function isFrameFileName(f: unknown): f is string {
  return typeof f === 'string' && /^[A-Za-z0-9_-][A-Za-z0-9._-]*\.arrow$/.test(f);
}

/** writeAtomically's temporary names, `FILE.PID-N.tmp`, for the files an export writes. */
const TEMP_FILE = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\.arrow|manifest\.json)\.([0-9]+)-[0-9]+\.tmp$/;

/** Removes the temporary files in `dir` whose writer is gone (a crash or power cut mid-export); never a live one's. */
async function removeOrphanedTempFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const writer = TEMP_FILE.exec(name)?.[1];
    if (writer !== undefined && !processExists(Number(writer))) await rm(join(dir, name), { force: true });
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
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
