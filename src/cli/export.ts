/** `ft-edge export --out DIR`: the running daemon writes every frame it holds as Arrow IPC files. */
import { resolve } from 'node:path';
import { ControlError, request } from '../control/index.js';
import type { ExportResult } from '../control/index.js';
import { copyExport } from '../export/index.js';
import { EXIT, parseOptions, plural, printError, UsageError, type Command } from './command.js';
import { daemonSocket, SOCKET_HELP, SOCKET_OPTION } from './daemon-socket.js';

/** Writing hundreds of keys to an SD card takes a while; a wedged daemon still ends the wait. */
const EXPORT_TIMEOUT_MS = 5 * 60_000;

export const exportCommand: Command = {
  name: 'export',
  summary: 'have the running daemon write its frames to DIR (Arrow IPC files + manifest.json)',
  usage: `usage: ft-edge export --out DIR [--json] [--socket PATH]

The running daemon writes every frame it holds, at one instant, into DIR: one Arrow IPC file per
(producer, pair, timeframe, candle type), readable by pyarrow, polars and duckdb, plus manifest.json
listing key, producer, rows, first and last date and la of each. The daemon writes into its own state
directory (datadir/export, the one place its sandbox lets it write); this command then copies that export
to DIR, so it needs read access to the daemon's state directory (root, or the daemon's user).

  --out DIR      target directory (created if missing)
  --json         print the manifest as JSON instead of a summary
${SOCKET_HELP}`,

  async run(argv) {
    const opts = parseOptions(argv, { out: { type: 'string' }, json: { type: 'boolean' }, ...SOCKET_OPTION });
    if (opts.out === undefined) throw new UsageError('--out DIR is required');
    const out = resolve(opts.out);
    const socket = daemonSocket(opts.socket);
    if (socket === undefined) return EXIT.config;
    let manifest: unknown;
    try {
      const answer = (await request(socket, 'export', {}, EXPORT_TIMEOUT_MS)) as ExportResult;
      manifest = answer.dir === out ? answer.manifest : await copyExport(answer.dir, out);
    } catch (e) {
      const msg = (e as Error).message;
      printError(e instanceof ControlError && e.code !== 'failed' ? msg : `export failed: ${msg}`);
      return EXIT.failed;
    }
    process.stdout.write((opts.json === true ? JSON.stringify(manifest, null, 2) : summary(manifest, out)) + '\n');
    return EXIT.ok;
  },
};

/** 'exported 96 frames (144000 rows) of 2 producers to /tmp/x (manifest: /tmp/x/manifest.json)'. */
function summary(manifest: unknown, out: string): string {
  const frames = (manifest as { frames?: unknown } | null)?.frames;
  if (!Array.isArray(frames)) return `exported to ${out}`;
  let rows = 0;
  const producers = new Set<unknown>();
  for (const f of frames as { rows?: unknown; producer?: unknown }[]) {
    if (typeof f.rows === 'number') rows += f.rows;
    producers.add(f.producer);
  }
  return `exported ${plural(frames.length, 'frame')} (${plural(rows, 'row')}) of ${plural(producers.size, 'producer')} to ${out} (manifest: ${out}/manifest.json)`;
}
