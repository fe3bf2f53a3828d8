/**
 * How the `ft-edge` bin starts node, for the memory benchmarks: its first line is `#!/usr/bin/env -S NAME=VALUE
 * ... node OPTIONS`, which the kernel runs as `/usr/bin/env "-S NAME=VALUE ... node OPTIONS" main.js ARGS`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ENV = '/usr/bin/env';
export const MAIN_JS = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/** What the kernel hands /usr/bin/env from the bin's first line: everything after `#!/usr/bin/env `, one argument. */
export function shebangArgument(): string {
  const first = readFileSync(MAIN_JS, 'utf8').split('\n', 1)[0]!;
  if (!first.startsWith(`#!${ENV} `)) throw new Error(`the bin's first line is not "#!${ENV} ...": ${first}`);
  return first.slice(ENV.length + 3).trim();
}

/** The bin's environment settings and node options (env -S's plain words: no quoting is used there). */
export function binLaunch(): { env: Record<string, string>; nodeOptions: string[] } {
  const words = shebangArgument().split(/\s+/).filter((w) => w !== '-S');
  const node = words.indexOf('node');
  if (node < 0) throw new Error(`the bin's #! line does not run node: ${shebangArgument()}`);
  const env = Object.fromEntries(words.slice(0, node).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
  return { env, nodeOptions: words.slice(node + 1) };
}
