/**
 * What no configuration document may hold, whatever its format or source: a key that reaches an object's
 * prototype (`__proto__`, `constructor`, `prototype`: merging one would change every object in the process), a
 * number that is not finite (`NaN`, `Infinity`, `1e400`: JSON cannot carry them, and turned into null they would
 * silently mean "automatic"), or nesting deeper than any real configuration (which would end in a stack overflow
 * with no key named).
 */
import type { Path, Problem } from './validator.js';

const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
/** The deepest real configuration is 4 levels; 32 leaves room for anything reasonable. */
export const MAX_NESTING = 32;

/** Problems of `doc`, with key paths; an empty list when it is fine. */
export function documentProblems(doc: unknown): Problem[] {
  const problems: Problem[] = [];
  walk(doc, [], problems);
  return problems;
}

function walk(v: unknown, path: Path, problems: Problem[]): void {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) problems.push({ path, message: `${String(v)} is not a number ft-edge accepts (out of range, or not a number)` });
    return;
  }
  if (typeof v !== 'object' || v === null) return;
  if (path.length >= MAX_NESTING) {
    problems.push({ path, message: `is nested more than ${MAX_NESTING} levels deep` });
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((item, i) => walk(item, [...path, i], problems));
    return;
  }
  for (const key of Object.keys(v)) {
    if (FORBIDDEN_KEYS.has(key)) problems.push({ path: [...path, key], message: `the key ${JSON.stringify(key)} is not allowed in a configuration` });
    else walk((v as Record<string, unknown>)[key], [...path, key], problems);
  }
}
