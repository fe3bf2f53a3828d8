/**
 * `ft-edge export`: every held frame as an Arrow IPC file (readable by pyarrow, polars, duckdb) plus
 * manifest.json, written through publish.ts (complete or not there at all).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CandleType, PairKey } from '../protocol/index.js';
import { tableToIPC, type FrameStore, type HeldKey, type Table } from '../store/index.js';
import { MANIFEST, publish, type PublishedFile } from './publish.js';

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

/** Names this long or longer are shortened and made unique by a hash (file systems stop at 255 bytes). */
const MAX_NAME = 200;

/** Every frame `store` holds, sorted by producer and key, into `dir`. */
export function exportStore(store: FrameStore, dir: string): Promise<Manifest> {
  const order = (h: HeldKey): string[] => [h.producer, h.key.pair, h.key.timeframe, h.key.candleType];
  const held = [...store.keys()].sort((a, b) => compareLists(order(a), order(b)));
  // Keys are never forgotten, and a held key always has a table.
  const sources = held.map(({ producer, key }) => () => store.snapshot(producer, key)!);
  return exportFrames(dir, sources, store.allWhitelists());
}

export async function exportFrames(dir: string, sources: readonly FrameSource[], whitelists: ReadonlyMap<string, readonly string[]>): Promise<Manifest> {
  const manifest: Manifest = { frames: [], whitelist: Object.fromEntries([...whitelists].map(([producer, pairs]) => [producer, [...pairs]])) };
  // A key is read and serialized in one synchronous step just before its file is written: the table is a view
  // of the live ring, and the file must match its manifest entry.
  const files = sources.map((source) => async (): Promise<PublishedFile> => {
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
  await publish(dir, files, manifest, isFrameFileName);
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
  const files = manifest.frames.map((f) => async (): Promise<PublishedFile> => {
    if (!isFrameFileName(f.file)) throw new Error(`${from}/${MANIFEST} names an unexpected file ${JSON.stringify(f.file)}`);
    return { file: f.file, bytes: await readFile(join(from, f.file)) };
  });
  await publish(to, files, manifest, isFrameFileName);
  return manifest;
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

/** What frameFileName makes: a plain name in the export directory, never a path. */
function isFrameFileName(f: unknown): f is string {
  return typeof f === 'string' && /^[A-Za-z0-9_-][A-Za-z0-9._-]*\.arrow$/.test(f);
}

function compareLists(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}
