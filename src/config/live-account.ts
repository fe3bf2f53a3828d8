/**
 * Live trading is on only with `dry_run: false` and an exchange account ft-edge can trade: a supported exchange,
 * spot, and its key and secret (from the exchange block, key_file/secret_file, or the systemd credentials
 * exchange_key/exchange_secret). Anything missing is a configuration problem naming it, so a daemon that starts
 * trades exactly as configured, never live by accident and never dry-run when live was asked for.
 */
import { secretFrom } from './tokens.js';
import type { LiveAccount, ValidatedConfig } from './types.js';
import { isPlainObject, type Problem } from './validator.js';

/** Exchanges ft-edge trades live on (ccxt ids); the rest stay dry-run until tested. */
export const LIVE_EXCHANGES: readonly string[] = ['binance'];

export function resolveLiveAccount(c: ValidatedConfig, credentialsDir: string | undefined, problems: Problem[], warnings: string[]): LiveAccount | null {
  if (c.dry_run) return null;
  const ex = c.exchange;
  if (ex === undefined) {
    problems.push({ path: ['dry_run'], message: 'is false, but there is no exchange block: live trading needs {"name": "binance", "key": ..., "secret": ...}' });
    return null;
  }
  const before = problems.length;
  if (!LIVE_EXCHANGES.includes(ex.name)) {
    problems.push({ path: ['exchange', 'name'], message: `"${ex.name}" is not supported for live trading yet (${LIVE_EXCHANGES.join(', ')} spot is); with dry_run true it trades on paper` });
  }
  if (c.trading_mode !== 'spot') {
    problems.push({ path: ['trading_mode'], message: `live trading is spot only for now: "${c.trading_mode}" stays dry-run (dry_run true)` });
  }
  const secret = (key: 'key' | 'secret' | 'password' | 'uid', value: string | undefined, file?: string) =>
    secretFrom({ value, file, credentials: [`exchange_${key}`], what: 'the exchange', key, path: ['exchange'] }, credentialsDir, problems, warnings);
  const key = secret('key', ex.key, ex.key_file);
  const sec = secret('secret', ex.secret, ex.secret_file);
  const password = secret('password', ex.password);
  const uid = secret('uid', ex.uid);
  const missing = [key === null ? 'key' : null, sec === null ? 'secret' : null].filter((m) => m !== null);
  if (missing.length > 0) {
    problems.push({
      path: ['exchange'],
      message: `has no ${missing.join(' and ')}: live trading (dry_run false) needs them (${missing.map((m) => `${m}, ${m}_file or the systemd credential exchange_${m}`).join('; ')})`,
    });
  }
  if (problems.length > before || typeof key !== 'string' || typeof sec !== 'string') return null;
  const ccxt: Record<string, unknown> = {};
  for (const part of [ex.ccxt_config, ex.ccxt_sync_config, ex.ccxt_async_config]) if (part !== undefined) deepMerge(ccxt, part);
  return {
    exchange: ex.name, key, secret: sec, password: password ?? null, uid: uid ?? null, ccxt_config: ccxt,
    markets_refresh_interval: ex.markets_refresh_interval,
  };
}

function deepMerge(into: Record<string, unknown>, from: Readonly<Record<string, unknown>>): void {
  for (const [k, v] of Object.entries(from)) {
    const t = into[k];
    if (isPlainObject(t) && isPlainObject(v)) deepMerge(t, v);
    else into[k] = isPlainObject(v) ? structuredClone(v) : v;
  }
}
