#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=1
/**
 * The `ft-edge` executable: global options, then one subcommand (commands.ts). Every error is one line on
 * stderr and an exit code from command.ts's EXIT; no stack traces. The exit code is set, not forced, so
 * `ft-edge run` keeps running on the daemon's handles and piped output is never cut short.
 *
 * The #! line sets how the daemon runs wherever this file is executed (systemd's ExecStart, by hand), measured
 * by bench/daemon-rss.ts: a 1 MB young generation (-12 MB RSS), and glibc's mmap threshold pinned at its
 * initial 128 KB (-13 MB): left dynamic, freeing one 500 KB message raises it, and later messages and ring
 * slabs then land in the brk heap, whose holes are never given back. env execs node: it stays the main process.
 */
import { resolve } from 'node:path';
import { packageVersion, SHIPPED_DEFAULTS } from '../config/index.js';
import { suggestion } from '../config/index.js';
import { EXIT, printError, UsageError, type Command } from './command.js';
import { COMMANDS } from './commands.js';

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `ft-edge ${packageVersion()}: freqtrade's consumer (producer/consumer mode) as a Raspberry Pi appliance

usage: ft-edge [--config-dir DIR] COMMAND [options]

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

options:
  --config-dir DIR  read configuration files from DIR instead of /etc/ft-edge (sets NODE_CONFIG_DIR)
  -h, --help        this help; \`ft-edge COMMAND --help\` for a command's own
  --version         print the version

configuration (node-config), later sources win:
  1. shipped defaults ${SHIPPED_DEFAULTS} (always the base)
  2. files in /etc/ft-edge (default.json, local.json, ...), or in $NODE_CONFIG_DIR / --config-dir
  3. $NODE_CONFIG, JSON: '{"external_message_consumer": {"enabled": true, "producers": [...]}}'
  "freqtrade_config": PATH (or --config) reads a freqtrade config file as it is, under ft-edge's
  own settings. Tokens: "ws_token", "ws_token_file": PATH, or the systemd credential
  ws_token_<producer> or ws_token ($CREDENTIALS_DIRECTORY). \`ft-edge check-config\` shows the result.

exit codes:
  0   success
  1   failed (e.g. the daemon is not running, an export failed)
  2   configuration problems
  64  bad command line`;
}

/** node-config reads `--NODE_CONFIG=...` and friends from the command line itself; they are not ours to reject. */
const NODE_CONFIG_ARG = /^--(NODE_CONFIG|NODE_CONFIG_DIR|NODE_CONFIG_ENV|NODE_ENV|NODE_APP_INSTANCE|HOST|HOSTNAME)=/;

async function main(argv: readonly string[]): Promise<number> {
  const args = argv.filter((a) => !NODE_CONFIG_ARG.test(a));
  let i = 0;
  for (; i < args.length && args[i]!.startsWith('-'); i++) {
    const a = args[i]!;
    if (a === '-h' || a === '--help') return print(help());
    if (a === '--version') return print(packageVersion());
    if (a === '--config-dir' || a.startsWith('--config-dir=')) {
      const dir = a === '--config-dir' ? args[++i] : a.slice('--config-dir='.length);
      if (dir === undefined || dir === '') return usageError('--config-dir needs a directory');
      process.env['NODE_CONFIG_DIR'] = resolve(dir);
      continue;
    }
    return usageError(`unknown option ${a}`);
  }
  const name = args[i];
  if (name === undefined) {
    process.stderr.write(help() + '\n');
    return EXIT.usage;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) return usageError(`unknown command ${JSON.stringify(name)}${suggestion(name, COMMANDS.map((c) => c.name))}`);
  const rest = args.slice(i + 1);
  const end = rest.indexOf('--');
  if ((end < 0 ? rest : rest.slice(0, end)).some((a) => a === '-h' || a === '--help')) return print(command.usage);
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) return usageError(e.message, command);
    printError(`${name}: ${(e as Error).message ?? String(e)}`);
    return EXIT.failed;
  }
}

function print(text: string): number {
  process.stdout.write(text + '\n');
  return EXIT.ok;
}

function usageError(message: string, command?: Command): number {
  const where = command === undefined ? 'ft-edge --help' : `ft-edge ${command.name} --help`;
  printError(`${command === undefined ? '' : `${command.name}: `}${message} (see ${where})`);
  return EXIT.usage;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    printError((e as Error).message ?? String(e));
    process.exitCode = EXIT.failed;
  },
);
