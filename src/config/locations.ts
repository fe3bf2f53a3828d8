/**
 * Where ft-edge's files are: the installed package (shipped defaults), and the automatic choice of state
 * directory and control socket when the configuration leaves them null. The choice prefers what systemd hands
 * the service ($STATE_DIRECTORY, $RUNTIME_DIRECTORY), then the appliance's fixed paths, then per-user
 * directories, so `ft-edge run` also works for a developer without root, and `ft-edge status` in a shell finds
 * the socket of the service.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Env = Readonly<Record<string, string | undefined>>;

/** The package root: this file is dist/src/config/locations.js in the installed package. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SHIPPED_CONFIG_DIR = join(PACKAGE_ROOT, 'config');
export const SHIPPED_DEFAULTS = join(SHIPPED_CONFIG_DIR, 'default.json');
/** Production configuration directory (systemd's ConfigurationDirectory=ft-edge). */
export const ETC_DIR = '/etc/ft-edge';

let version: string | undefined;

/** The installed package's version, from its package.json. */
export function packageVersion(): string {
  if (version === undefined) {
    try {
      version = String((JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: unknown }).version);
    } catch {
      version = 'unknown';
    }
  }
  return version;
}

/** systemd may pass several directories separated by ':'; ft-edge asks for one. */
function firstOf(value: string | undefined): string | undefined {
  const first = value?.split(':')[0];
  return first === undefined || first === '' ? undefined : first;
}

/** `dir` exists, or can be created because its parent is writable. */
function usable(dir: string): boolean {
  if (existsSync(dir)) return true;
  try {
    accessSync(dirname(dir), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function automaticDatadir(env: Env): string {
  const systemd = firstOf(env['STATE_DIRECTORY']);
  if (systemd !== undefined) return systemd;
  if (usable('/var/lib/ft-edge')) return '/var/lib/ft-edge';
  return join(env['XDG_STATE_HOME'] ?? join(homedir(), '.local', 'state'), 'ft-edge');
}

export function automaticSocket(env: Env): string {
  const systemd = firstOf(env['RUNTIME_DIRECTORY']);
  if (systemd !== undefined) return join(systemd, 'control.sock');
  if (usable('/run/ft-edge')) return '/run/ft-edge/control.sock';
  const xdg = env['XDG_RUNTIME_DIR'];
  if (xdg !== undefined && xdg !== '') return join(xdg, 'ft-edge', 'control.sock');
  return join(tmpdir(), `ft-edge-${process.getuid?.() ?? 'user'}`, 'control.sock');
}
