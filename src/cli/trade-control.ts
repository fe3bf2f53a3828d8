/**
 * freqtrade's trade controls, sent to the running daemon over its control socket: `stopentry` (no new entries,
 * open trades still exit), `start` (entries again), `forceexit TRADE_ID|all` (exit now).
 */
import { ControlError, request } from '../control/index.js';
import { EXIT, parseOptions, printError, UsageError, type Command } from './command.js';
import { daemonSocket, SOCKET_HELP, SOCKET_OPTION } from './daemon-socket.js';

/** Sends `cmd` and prints the daemon's lines. */
async function send(socket: string | undefined, cmd: string, args: Record<string, unknown> = {}): Promise<number> {
  if (socket === undefined) return EXIT.config;
  try {
    const lines = (await request(socket, cmd, args, 60_000)) as string[];
    process.stdout.write(lines.join('\n') + '\n');
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof ControlError)) throw e;
    printError(e.message);
    return EXIT.failed;
  }
}

export const stopEntry: Command = {
  name: 'stopentry',
  summary: 'stop new entries (open trades still exit), as freqtrade\'s stopentry',
  usage: `usage: ft-edge stopentry [--socket PATH]

Tells the running daemon to make no new entries until \`ft-edge start\`; open trades keep exiting on
stoploss, ROI and exit signals. Not kept across a restart of the daemon.

${SOCKET_HELP}`,
  async run(argv) {
    const opts = parseOptions(argv, { ...SOCKET_OPTION });
    return send(daemonSocket(opts.socket), 'stopentry');
  },
};

export const startEntries: Command = {
  name: 'start',
  summary: 'make entries again after stopentry',
  usage: `usage: ft-edge start [--socket PATH]

Tells the running daemon to make entries again after \`ft-edge stopentry\`.

${SOCKET_HELP}`,
  async run(argv) {
    const opts = parseOptions(argv, { ...SOCKET_OPTION });
    return send(daemonSocket(opts.socket), 'start');
  },
};

export const forceExit: Command = {
  name: 'forceexit',
  summary: 'exit one open trade, or all, now',
  usage: `usage: ft-edge forceexit (TRADE_ID | all) [--socket PATH]

Exits the open trade TRADE_ID (as \`ft-edge trades --open\` numbers them), or every open trade: at the last
price in dry-run, with an exit order (order_types.force_exit, else exit) when live.

${SOCKET_HELP}`,
  async run(argv) {
    const [target, ...rest] = argv;
    if (target === undefined || target.startsWith('-')) throw new UsageError('give the trade id, or all');
    if (target !== 'all' && !/^[1-9][0-9]*$/.test(target)) throw new UsageError(`${JSON.stringify(target.slice(0, 20))} is not a trade id or all`);
    const opts = parseOptions(rest, { ...SOCKET_OPTION });
    return send(daemonSocket(opts.socket), 'forceexit', { trade: target === 'all' ? 'all' : Number(target) });
  },
};
