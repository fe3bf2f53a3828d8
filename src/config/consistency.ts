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

  const strategy = c['strategy'];
  if (typeof strategy === 'string' && isAbsolute(strategy) && !existsSync(strategy)) {
    problems.push({ path: ['strategy'], message: `no such file: ${strategy}` });
  }
}
