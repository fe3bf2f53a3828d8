/**
 * `ft-edge backup FILE`: a consistent copy of the trade journal while the daemon runs, by SQLite's online backup
 * (a plain `cp` of a WAL database can copy a torn state). Written to a temporary name, checked, then renamed.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadLocalPaths } from '../config/index.js';
import { journalPath } from '../journal/index.js';
import { EXIT, parseOptions, printError, UsageError, type Command } from './command.js';

export const backup: Command = {
  name: 'backup',
  summary: 'copy the trade journal consistently, while the daemon runs',
  usage: `usage: ft-edge backup --out FILE [--datadir DIR] [--force]

Copies the journal (DATADIR/ft-edge.sqlite) with SQLite's online backup: safe while the daemon writes,
and the copy is a complete database (checked before it gets its name). Restore by stopping the daemon
and putting the copy in place of DATADIR/ft-edge.sqlite (removing ft-edge.sqlite-wal and -shm).

  --out FILE      where the copy goes
  --force         replace FILE if it exists
  --datadir DIR   the state directory (default: datadir from the configuration)`,

  async run(argv) {
    const opts = parseOptions(argv, { out: { type: 'string' }, force: { type: 'boolean' }, datadir: { type: 'string' } });
    if (opts.out === undefined) throw new UsageError('--out FILE is required');
    const out = resolve(opts.out);
    if (existsSync(out) && opts.force !== true) {
      printError(`${out} exists: give --force to replace it`);
      return EXIT.failed;
    }
    let datadir = opts.datadir === undefined ? undefined : resolve(opts.datadir);
    if (datadir === undefined) {
      const paths = loadLocalPaths();
      if (!paths.ok) {
        for (const p of paths.problems) printError(p);
        return EXIT.config;
      }
      datadir = paths.datadir;
    }
    const source = journalPath(datadir);
    if (!existsSync(source)) {
      printError(`no journal at ${source} (nothing traded yet, or another --datadir)`);
      return EXIT.failed;
    }
    const { backupJournal } = await import('../journal/index.js');
    const tmp = `${out}.${process.pid}.tmp`;
    try {
      const { trades, bytes } = await backupJournal(source, tmp);
      renameSync(tmp, out);
      process.stdout.write(`backed up ${trades} trades (${bytes} bytes) from ${source} to ${out}\n`);
      return EXIT.ok;
    } catch (e) {
      rmSync(tmp, { force: true });
      printError(`backup failed: ${(e as Error).message}`);
      return EXIT.failed;
    }
  },
};
