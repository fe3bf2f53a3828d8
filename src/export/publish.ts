/**
 * Publishing a set of files into a directory so that a reader never sees half of it: each file is written to a
 * temporary name, synced and renamed; the old manifest is removed first and the new one written last, so a
 * directory with a manifest always holds a complete set. The temporary files of a writer that died mid-write are
 * removed by the next publish into that directory (never a live writer's).
 */
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export const MANIFEST = 'manifest.json';
let tmpCounter = 0;

export interface PublishedFile {
  readonly file: string;
  readonly bytes: Uint8Array;
}

/** Writes the files one by one, then the manifest (complete by then); removes what an earlier manifest in `dir` listed and this one does not. */
export async function publish(
  dir: string,
  files: readonly (() => Promise<PublishedFile>)[],
  manifest: { readonly frames: readonly { readonly file: string }[] },
  /** Names this kind of manifest may list: an earlier manifest's other entries are left alone. */
  isOurs: (file: unknown) => file is string,
): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await removeOrphanedTempFiles(dir, isOurs);
    const manifestPath = join(dir, MANIFEST);
    const previous = await previousFiles(manifestPath, isOurs);
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
    throw new Error(`export to ${dir} failed: ${writeReason(e)}`);
  }
}

/** What keeps files from being written, in words (the errno code in brackets for a search). */
function writeReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const where = err.path === undefined ? '' : ` (${err.path})`;
  switch (err.code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return `a file is in the way where a directory must be${where}: choose another directory or remove the file [${err.code}]`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied${where} [${err.code}]`;
    case 'ENOSPC':
      return 'no space left on the device [ENOSPC]';
    case 'EROFS':
      return `the file system is read-only${where} [EROFS]`;
    default:
      return err.message ?? String(e);
  }
}

/** Files named by an earlier manifest in `dir` (ours only). */
async function previousFiles(manifestPath: string, isOurs: (file: unknown) => file is string): Promise<string[]> {
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
      .filter(isOurs);
  } catch {
    return []; // not our manifest: leave the directory's other files alone
  }
}

/** writeAtomically's temporary names: `FILE.PID-N.tmp`. */
const TEMP_FILE = /^(.+)\.([0-9]+)-[0-9]+\.tmp$/;

/** Removes the temporary files in `dir` whose writer is gone (a crash or power cut mid-write); never a live one's. */
async function removeOrphanedTempFiles(dir: string, isOurs: (file: unknown) => file is string): Promise<void> {
  for (const name of await readdir(dir)) {
    const m = TEMP_FILE.exec(name);
    if (m === null || !(m[1] === MANIFEST || isOurs(m[1])) || processExists(Number(m[2]))) continue;
    await rm(join(dir, name), { force: true });
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
