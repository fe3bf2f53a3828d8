/** `ft-edge status`: asks the running daemon how its producers and parts are doing. */
import { ControlError, request } from '../control/index.js';
import { EXIT, parseOptions, printError, type Command } from './command.js';
import { daemonSocket, SOCKET_HELP, SOCKET_OPTION } from './daemon-socket.js';
import { isStatusReport, renderStatus } from './status-view.js';

export const status: Command = {
  name: 'status',
  summary: "show the running daemon's producers, frames held, counters and memory",
  usage: `usage: ft-edge status [--json] [--socket PATH]

Asks the running daemon over its control socket. Per producer: connection state, pairs on its
whitelist, keys and rows held, age of its last message, and its counters; then the process's
uptime and memory (RSS), and further sections the daemon reports (strategy, trading).
Exit code 1 when the daemon is not running or does not answer.

  --json         print the daemon's answer as JSON
${SOCKET_HELP}`,

  async run(argv) {
    const opts = parseOptions(argv, { json: { type: 'boolean' }, ...SOCKET_OPTION });
    const socket = daemonSocket(opts.socket);
    if (socket === undefined) return EXIT.config;
    let result: unknown;
    try {
      result = await request(socket, 'status');
    } catch (e) {
      if (!(e instanceof ControlError)) throw e;
      printError(e.message);
      return EXIT.failed;
    }
    // An answer of another shape (a daemon of another version) is still shown, as JSON.
    const text = opts.json === true || !isStatusReport(result) ? JSON.stringify(result, null, 2) : renderStatus(result);
    process.stdout.write(text + '\n');
    return EXIT.ok;
  },
};
