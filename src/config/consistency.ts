/**
 * Rules that tie several keys together, checked after each key passed the schema on its own. Works on the
 * validated value, which may still be partial when other keys had problems, hence the defensive reads.
 */
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { isPlainObject, suggestion, type Problem } from './validator.js';

const EMC = 'external_message_consumer';

export function checkConsistency(c: Record<string, unknown>, problems: Problem[], warnings: string[]): void {
  const emc = isPlainObject(c[EMC]) ? c[EMC] : {};
  const producers = Array.isArray(emc['producers']) ? (emc['producers'] as unknown[]) : [];
  const names = producers.flatMap((p) => (isPlainObject(p) && typeof p['name'] === 'string' ? [p['name']] : []));

  if (emc['enabled'] === true && producers.length === 0) {
    problems.push({ path: [EMC, 'producers'], message: 'is empty, but enabled is true: list at least one producer' });
  }
  if (emc['enabled'] === false) warnings.push(`${EMC}.enabled is false: ft-edge will not connect to any producer`);

  const wire = isPlainObject(c['wire']) ? c['wire'] : {};
  const backoff = wire['max_backoff'];
  const sleep = emc['sleep_time'];
  if (typeof backoff === 'number' && typeof sleep === 'number' && backoff < sleep) {
    problems.push({ path: ['wire', 'max_backoff'], message: `must be at least ${EMC}.sleep_time (${sleep})` });
  }

  const columns = isPlainObject(c['store']) && isPlainObject(c['store']['columns']) ? c['store']['columns'] : {};
  for (const producer of Object.keys(columns)) {
    if (!names.includes(producer)) {
      problems.push({ path: ['store', 'columns', producer], message: `no producer has this name${suggestion(producer, names)}` });
    }
  }

  if (c['stake_amount'] === 'unlimited' && c['max_open_trades'] === -1) {
    problems.push({ path: ['stake_amount'], message: '"unlimited" needs a max_open_trades limit to divide the wallet by' });
  }

  checkApiServer(isPlainObject(c['api_server']) ? c['api_server'] : {}, problems);

  const strategy = c['strategy'];
  if (typeof strategy === 'string' && isAbsolute(strategy) && !existsSync(strategy)) {
    problems.push({ path: ['strategy'], message: `no such file: ${strategy}` });
  }
}

/** freqtrade's example config's password: a bot listening with it is open to anyone who read that file. */
const SAMPLE_PASSWORDS = new Set(['SuperSecurePassword', 'freqtrader']);

/** The API refuses to start reachable from the network with a guessable login (the key's length is the schema's). */
function checkApiServer(api: Record<string, unknown>, problems: Problem[]): void {
  if (api['enabled'] !== true) return;
  const address = api['listen_ip_address'];
  const loopback = typeof address === 'string' && (address.startsWith('127.') || address === '::1');
  for (const key of ['username', 'password'] as const) {
    if (api[key] === '') problems.push({ path: ['api_server', key], message: 'is empty: FreqUI logs in with it' });
  }
  if (loopback) return;
  const where = `api_server listens on ${String(address)}, beyond this machine`;
  const password = api['password'];
  if (typeof password === 'string' && password !== '' && (SAMPLE_PASSWORDS.has(password) || password.length < 8)) {
    problems.push({ path: ['api_server', 'password'], message: `is freqtrade's sample password or shorter than 8 characters, and ${where}: choose a real one` });
  }
}
