/**
 * A small declarative schema: each configuration value is described by a Spec (type, range, allowed values,
 * nested fields), and validate() walks a raw value against it, filling defaults and collecting one problem per
 * mistake. The ft-edge schema itself is data (schema.ts); nothing here knows about ft-edge's keys.
 *
 * Messages never echo a string the user wrote, except where it was checked against a fixed list (an enum),
 * so a token pasted into the wrong place cannot leak through an error message.
 */

export type Segment = string | number;
export type Path = readonly Segment[];

export interface Problem {
  readonly path: Path;
  /** Phrase without the path: 'expected an integer, got 2.5'. */
  readonly message: string;
}

interface Common<T> {
  /** What the value means, for people (the published JSON Schema carries it to editors). */
  readonly description?: string;
  /** Used when the key is absent. Only needed where the shipped default.json cannot hold it (array items). */
  readonly default?: T;
  /** Absent stays absent (no default, no problem). */
  readonly optional?: boolean;
  readonly nullable?: boolean;
  /** Extra rule after the type check passed: returns the problem phrase, or undefined when fine. */
  readonly check?: (value: T) => string | undefined;
}

export interface BooleanSpec extends Common<boolean> {
  readonly kind: 'boolean';
}
export interface NumberSpec extends Common<number> {
  readonly kind: 'number';
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** max is exclusive. */
  readonly belowMax?: boolean;
  /** min is exclusive. */
  readonly aboveMin?: boolean;
}
export interface StringSpec extends Common<string> {
  readonly kind: 'string';
  readonly enum?: readonly string[];
  /** Rewrites a valid value (check passed) into its canonical form. */
  readonly normalize?: (value: string) => string;
}
export interface ObjectSpec extends Common<Record<string, unknown>> {
  readonly kind: 'object';
  readonly fields: Readonly<Record<string, Spec>>;
}
export interface ArraySpec extends Common<unknown[]> {
  readonly kind: 'array';
  readonly items: Spec;
  /** For object items: this field's value must be unique across the list. */
  readonly uniqueBy?: string;
}
export interface RecordSpec extends Common<Record<string, unknown>> {
  readonly kind: 'record';
  readonly values: Spec;
  /** Checks one key; returns the problem phrase or undefined. */
  readonly checkKey?: (key: string) => string | undefined;
  /**
   * The table is one value: a configuration source that sets it replaces it as a whole instead of being merged
   * key by key over earlier sources (the loader applies this; see replacePaths()).
   */
  readonly replace?: boolean;
}
export interface OneOfSpec extends Common<unknown> {
  readonly kind: 'oneOf';
  readonly options: readonly Spec[];
}

/** Any JSON value, passed on as it is (options handed to a library, such as ccxt_config). */
export interface JsonSpec extends Common<unknown> {
  readonly kind: 'json';
}

export type Spec = BooleanSpec | NumberSpec | StringSpec | ObjectSpec | ArraySpec | RecordSpec | OneOfSpec | JsonSpec;

/** Walks `value` against `spec`: returns the value with defaults filled in, and pushes problems. */
export function validate(spec: Spec, value: unknown, problems: Problem[], root: Spec = spec, path: Path = []): unknown {
  if (value === undefined) {
    if (spec.default !== undefined) return structuredClone(spec.default);
    if (!spec.optional) problems.push({ path, message: 'missing' });
    return undefined;
  }
  if (value === null) {
    if (!spec.nullable) problems.push({ path, message: `expected ${describe(spec)}, got null` });
    return null;
  }
  const before = problems.length;
  const out = validateValue(spec, value, problems, root, path);
  if (problems.length > before || out === undefined) return out;
  const phrase = (spec.check as ((v: unknown) => string | undefined) | undefined)?.(out);
  if (phrase !== undefined) problems.push({ path, message: phrase });
  else if (spec.kind === 'string' && spec.normalize !== undefined) return spec.normalize(out as string);
  return out;
}

function validateValue(spec: Spec, value: unknown, problems: Problem[], root: Spec, path: Path): unknown {
  switch (spec.kind) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      break;
    case 'number':
      if (typeof value === 'number' && Number.isFinite(value)) {
        const range = rangeProblem(spec, value);
        if (range !== undefined) problems.push({ path, message: `${range}, got ${value}` });
        return value;
      }
      break;
    case 'string':
      if (typeof value === 'string') {
        if (spec.enum !== undefined && !spec.enum.includes(value)) {
          problems.push({ path, message: `expected ${describe(spec)}, got ${echo(value)}${suggestion(value, spec.enum)}` });
        }
        return value;
      }
      break;
    case 'object':
      if (isPlainObject(value)) return validateObject(spec, value, problems, root, path);
      break;
    case 'array':
      if (Array.isArray(value)) return validateArray(spec, value, problems, root, path);
      break;
    case 'record':
      if (isPlainObject(value)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
          const keyProblem = spec.checkKey?.(k);
          if (keyProblem !== undefined) problems.push({ path: [...path, k], message: keyProblem });
          else out[k] = validate(spec.values, v, problems, root, [...path, k]);
        }
        return out;
      }
      break;
    case 'json':
      return value;
    case 'oneOf': {
      const match = spec.options.find((o) => kindMatches(o, value));
      if (match !== undefined) return validate(match, value, problems, root, path);
      break;
    }
  }
  problems.push({ path, message: `expected ${describe(spec)}, got ${typeName(value)}` });
  return undefined;
}

function validateObject(
  spec: ObjectSpec,
  value: Record<string, unknown>,
  problems: Problem[],
  root: Spec,
  path: Path,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(spec.fields, key)) {
      problems.push({ path: [...path, key], message: `unknown key${didYouMean(key, spec, root)}` });
    }
  }
  for (const [key, field] of Object.entries(spec.fields)) {
    const v = validate(field, value[key], problems, root, [...path, key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function validateArray(spec: ArraySpec, value: unknown[], problems: Problem[], root: Spec, path: Path): unknown[] {
  const out = value.map((item, i) => validate(spec.items, item, problems, root, [...path, i]));
  const field = spec.uniqueBy;
  if (field !== undefined) {
    const seen = new Map<unknown, number>();
    out.forEach((item, i) => {
      const id = isPlainObject(item) ? item[field] : undefined;
      if (id === undefined) return;
      const first = seen.get(id);
      if (first === undefined) seen.set(id, i);
      else problems.push({ path: [...path, i, field], message: `duplicate ${field} ${JSON.stringify(id)}, already used by ${formatPath([...path, first])}` });
    });
  }
  return out;
}

function rangeProblem(spec: NumberSpec, v: number): string | undefined {
  if (spec.integer === true && !Number.isInteger(v)) return 'expected an integer';
  const low = spec.min !== undefined && (spec.aboveMin === true ? v <= spec.min : v < spec.min);
  const high = spec.max !== undefined && (spec.belowMax === true ? v >= spec.max : v > spec.max);
  return low || high ? `must be ${rangeText(spec)}` : undefined;
}

function rangeText(spec: NumberSpec): string {
  const { min, max } = spec;
  if (min !== undefined && max !== undefined && spec.aboveMin !== true && spec.belowMax !== true) return `${min}..${max}`;
  const parts: string[] = [];
  if (min !== undefined) parts.push(`${spec.aboveMin === true ? '>' : '>='} ${min}`);
  if (max !== undefined) parts.push(`${spec.belowMax === true ? '<' : '<='} ${max}`);
  return parts.join(' and ');
}

/** 'an integer 0..65535', 'one of "error", "warn"', 'a number or "unlimited"'. */
export function describe(spec: Spec): string {
  switch (spec.kind) {
    case 'boolean':
      return 'true or false';
    case 'number': {
      const range = spec.min !== undefined || spec.max !== undefined ? ` ${rangeText(spec)}` : '';
      return (spec.integer === true ? 'an integer' : 'a number') + range;
    }
    case 'string':
      if (spec.enum === undefined) return 'a string';
      return spec.enum.length === 1 ? JSON.stringify(spec.enum[0]) : `one of ${spec.enum.map((e) => JSON.stringify(e)).join(', ')}`;
    case 'object':
    case 'record':
      return 'an object';
    case 'array':
      return 'a list';
    case 'oneOf':
      return spec.options.map(describe).join(' or ');
    case 'json':
      return 'any JSON value';
  }
}

function kindMatches(spec: Spec, value: unknown): boolean {
  switch (spec.kind) {
    case 'boolean':
    case 'number':
    case 'string':
      return typeof value === spec.kind;
    case 'array':
      return Array.isArray(value);
    case 'object':
    case 'record':
      return isPlainObject(value);
    case 'oneOf':
      return spec.options.some((o) => kindMatches(o, value));
    case 'json':
      return true;
  }
}

function typeName(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return 'a string';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'an object';
  return typeof value;
}

/** A value that missed a fixed list: echoed when it is word-sized ("verbose"), never when it could be a token. */
function echo(s: string): string {
  return s.length <= 16 ? JSON.stringify(s) : 'a long string';
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** ', did you mean "wait_timeout"?' for a typo of a sibling, or a hint for a key that lives elsewhere in the schema. */
function didYouMean(key: string, spec: ObjectSpec, root: Spec): string {
  const sibling = closest(key, Object.keys(spec.fields));
  if (sibling !== undefined) return `, did you mean ${JSON.stringify(sibling)}?`;
  const elsewhere = fieldPaths(root).find((p) => p[p.length - 1] === key);
  return elsewhere === undefined ? '' : `: it belongs in ${formatPath(elsewhere)}`;
}

/** ', did you mean "default"?' when one of `options` is a near miss of `value`, else ''. */
export function suggestion(value: string, options: readonly string[]): string {
  const c = closest(value, options);
  return c === undefined ? '' : `, did you mean ${JSON.stringify(c)}?`;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 4)) + 1;
  for (const c of candidates) {
    const cl = c.toLowerCase();
    // A cut-short name ("sleep" for "sleep_time") counts as one edit away.
    const d = cl === lower ? 0 : lower.length >= 4 && cl.startsWith(lower) ? 1 : editDistance(lower, cl);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Edit distance counting a swap of two neighbours as one edit (the commonest typo). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Every field path of a schema (array items as '[]'), for "it belongs in ..." hints. */
function fieldPaths(spec: Spec, path: Segment[] = []): Segment[][] {
  if (spec.kind === 'object') {
    return Object.entries(spec.fields).flatMap(([k, f]) => [[...path, k], ...fieldPaths(f, [...path, k])]);
  }
  if (spec.kind === 'array') return fieldPaths(spec.items, [...path, '[]']);
  return [];
}

/** Paths (through objects only) of the tables that replace instead of merging. */
export function replacePaths(spec: Spec, path: string[] = []): string[][] {
  if (spec.kind === 'record' && spec.replace === true) return [path];
  if (spec.kind !== 'object') return [];
  return Object.entries(spec.fields).flatMap(([k, f]) => replacePaths(f, [...path, k]));
}

/** `external_message_consumer.producers[0].port`, `store.columns["my producer"]`. */
export function formatPath(path: Path): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number' || seg === '[]') s += typeof seg === 'number' ? `[${seg}]` : '[]';
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) s += s === '' ? seg : `.${seg}`;
    else s += `[${JSON.stringify(seg)}]`;
  }
  return s === '' ? '(top level)' : s;
}
