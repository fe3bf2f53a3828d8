/** The control socket a client command talks to: `--socket PATH`, else the configuration's control.socket. */
import { resolve } from 'node:path';
import { loadLocalPaths } from '../config/index.js';
import { printError } from './command.js';

export const SOCKET_OPTION = { socket: { type: 'string' } } as const;

export const SOCKET_HELP = `  --socket PATH  the daemon's control socket (default: control.socket from the configuration)`;

/** The socket path, or undefined after printing why there is none (the configuration's problems). */
export function daemonSocket(option: string | undefined): string | undefined {
  if (option !== undefined) return resolve(option);
  const paths = loadLocalPaths();
  if (paths.ok) return paths.socket;
  for (const p of paths.problems) printError(p);
  return undefined;
}
