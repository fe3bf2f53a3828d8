/**
 * A copy of a configuration safe to print: every secret-named value replaced by "***". Keyed by name, not by
 * path, so a secret added to the configuration later is masked without anyone remembering to.
 */
import { isPlainObject } from './validator.js';

/** ws_token, api_token, secret, password ... but not ws_token_file (a path). */
const SECRET_KEY = /(^|_)(token|secret|password)$/i;

export const MASK = '***';

export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined ? MASK : maskSecrets(v);
  }
  return out;
}
