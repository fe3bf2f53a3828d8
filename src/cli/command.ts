/**
 * What every `ft-edge` subcommand is, and the conventions they share: exit codes, usage errors, one-line
 * messages on stderr.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The whole `--help` text: usage line, what it does, options. */
  readonly usage: string;
  /** Runs with the arguments after the command name; resolves with the exit code. */
  run(argv: readonly string[]): Promise<number>;
}

/** Exit codes, documented in `ft-edge --help`. */
export const EXIT = {
  ok: 0,
  /** The operation failed (daemon not running, export failed, ...). */
  failed: 1,
  /** The configuration has problems (the systemd unit can use RestartPreventExitStatus=2). */
  config: 2,
  /** Bad command line (sysexits' EX_USAGE). */
  usage: 64,
} as const;

/** A command-line mistake: main prints it with a pointer to `--help` and exits 64. */
export class UsageError extends Error {}

/** The options a command takes: long names, string or boolean (no positional arguments anywhere). */
export type OptionSpec = Readonly<Record<string,
  { readonly type: 'string'; readonly short?: string; readonly multiple?: boolean } | { readonly type: 'boolean'; readonly short?: string }>>;
export type OptionValues<O extends OptionSpec> = {
  [K in keyof O]?: O[K] extends { type: 'string'; multiple: true } ? string[] : O[K] extends { type: 'string' } ? string : boolean;
};

/** node's parseArgs with one-line usage errors ("unknown option --jsno") instead of its long messages. */
export function parseOptions<const O extends OptionSpec>(argv: readonly string[], options: O): OptionValues<O> {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as OptionValues<O>;
  } catch (e) {
    const err = e as { code?: string; message: string };
    const quoted = /'([^']+)'/.exec(err.message)?.[1] ?? '';
    const option = quoted.split(' ')[0] ?? quoted;
    switch (err.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        throw new UsageError(`unknown option ${option}`);
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        throw new UsageError(`option ${option} ${/argument missing/.test(err.message) ? 'needs a value' : 'takes no value'}`);
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
        throw new UsageError(`unexpected argument ${quoted}`);
      default:
        throw new UsageError(err.message.split('\n')[0] ?? 'bad arguments');
    }
  }
}

/** `--config FILE` (repeatable, as freqtrade's `-c`): freqtrade config files, relative to the working directory. */
export const CONFIG_OPTION = { config: { type: 'string', short: 'c', multiple: true } } as const;

export const CONFIG_HELP = `  -c, --config FILE   a freqtrade config file, as it is (repeat for more, later ones win; replaces
                      freqtrade_config). ft-edge takes the settings it implements from it; its own
                      settings (/etc/ft-edge, $NODE_CONFIG) override them.`;

/** The LoadOptions part of `--config`. */
export function configFiles(files: readonly string[] | undefined): { freqtradeConfig?: readonly string[] } {
  return files === undefined ? {} : { freqtradeConfig: files.map((f) => resolve(f)) };
}

/** One line on stderr, prefixed so it reads well after a shell prompt. */
export function printError(line: string): void {
  process.stderr.write(`ft-edge: ${line}\n`);
}

/** '1 problem', '3 problems'. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
