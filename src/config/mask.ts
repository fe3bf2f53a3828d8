/**
 * A copy of a configuration safe to print: every secret-named value replaced by "***". Keyed by name, not by
 * path, so a secret added to the configuration later is masked without anyone remembering to.
 */
import { isPlainObject } from './validator.js';

/** ws_token, secret, password, key, jwt_secret_key ... but not ws_token_file or key_file (paths). */
const SECRET_KEY = /(^|_)(token|secret|password|key)$/i;

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
