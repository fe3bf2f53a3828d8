#!/usr/bin/env node
// Runs every compiled benchmark (dist/bench/*.js) in a fresh Node process, one after another, so one
// scenario's heap never colours the next one's memory figures. A file may be named to run it alone.
// Each runs with the node options and environment of the ft-edge bin's #! line: the figures are the daemon's.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'dist', 'bench');
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.js') && !f.startsWith('_'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();
const { binLaunch } = await import(join(dir, '_bin-launch.js'));
const launch = binLaunch();
console.log(`node ${process.version}, as the daemon runs: ${Object.entries(launch.env).map(([k, v]) => `${k}=${v} `).join('')}node ${launch.nodeOptions.join(' ')}`);
let failed = 0;
for (const f of files) {
  console.log(`\n## ${f.replace(/\.js$/, '')}`);
  const r = spawnSync(process.execPath, [...launch.nodeOptions, '--expose-gc', join(dir, f)], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, ...launch.env },
  });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
