import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPath, replacePaths, validate, type ObjectSpec, type Problem } from '../../src/config/validator.js';

const spec: ObjectSpec = {
  kind: 'object',
  fields: {
    enabled: { kind: 'boolean' },
    level: { kind: 'string', enum: ['error', 'warn', 'info', 'debug'] },
    ratio: { kind: 'number', min: 0, max: 1, belowMax: true, nullable: true },
    count: { kind: 'number', integer: true, min: 1, max: 20 },
    items: {
      kind: 'array',
      uniqueBy: 'name',
      items: {
        kind: 'object',
        fields: {
          name: { kind: 'string' },
          port: { kind: 'number', integer: true, min: 0, max: 65535, default: 8080 },
          note: { kind: 'string', optional: true },
          host: { kind: 'string', check: (h) => (h.includes('/') ? 'has a slash' : undefined), normalize: (h) => h.toLowerCase() },
        },
      },
    },
    table: { kind: 'record', replace: true, checkKey: (k) => (/^\d+$/.test(k) ? undefined : 'must be digits'), values: { kind: 'number' } },
    amount: { kind: 'oneOf', options: [{ kind: 'number', min: 0, aboveMin: true }, { kind: 'string', enum: ['unlimited'] }] },
    nested: { kind: 'object', fields: { inner: { kind: 'boolean' } } },
  },
};

const good = {
  enabled: true,
  level: 'info',
  ratio: null,
  count: 3,
  items: [{ name: 'a', host: 'HOST' }],
  table: { '0': 0.1 },
  amount: 'unlimited',
  nested: { inner: false },
};

function problemsOf(value: unknown): string[] {
  const problems: Problem[] = [];
  validate(spec, value, problems);
  return problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
}

const withField = (patch: Record<string, unknown>): Record<string, unknown> => ({ ...good, ...patch });

describe('validate', () => {
  it('accepts a valid value, fills array item defaults and normalizes', () => {
    const problems: Problem[] = [];
    const out = validate(spec, good, problems) as typeof good & { items: { port: number; host: string }[] };
    assert.deepEqual(problems, []);
    assert.equal(out.items[0]!.port, 8080);
    assert.equal(out.items[0]!.host, 'host');
    assert.equal('note' in out.items[0]!, false);
  });

  it('reports an unknown key with a did-you-mean for a typo (swapped letters too)', () => {
    assert.deepEqual(problemsOf(withField({ levle: 'info' })), ['levle: unknown key, did you mean "level"?']);
    assert.deepEqual(problemsOf(withField({ Enabled: true })), ['Enabled: unknown key, did you mean "enabled"?']);
  });

  it('says where a misplaced key belongs', () => {
    assert.deepEqual(problemsOf(withField({ inner: true })), ['inner: unknown key: it belongs in nested.inner']);
  });

  it('reports an unknown key without any hint when nothing is close', () => {
    assert.deepEqual(problemsOf(withField({ zzzzzz: 1 })), ['zzzzzz: unknown key']);
  });

  it('reports wrong types without echoing strings', () => {
    assert.deepEqual(problemsOf(withField({ enabled: 'yes', count: 'SECRET-VALUE' })), [
      'enabled: expected true or false, got a string',
      'count: expected an integer 1..20, got a string',
    ]);
    assert.deepEqual(problemsOf(withField({ nested: [] })), ['nested: expected an object, got a list']);
  });

  it('reports out-of-range numbers and non-integers', () => {
    assert.deepEqual(problemsOf(withField({ count: 21 })), ['count: must be 1..20, got 21']);
    assert.deepEqual(problemsOf(withField({ count: 2.5 })), ['count: expected an integer, got 2.5']);
    assert.deepEqual(problemsOf(withField({ ratio: 1 })), ['ratio: must be >= 0 and < 1, got 1']);
    assert.deepEqual(problemsOf(withField({ amount: 0 })), ['amount: must be > 0, got 0']);
  });

  it('reports a value outside an enum with a suggestion', () => {
    assert.deepEqual(problemsOf(withField({ level: 'inof' })), ['level: expected one of "error", "warn", "info", "debug", got "inof", did you mean "info"?']);
  });

  it('reports missing required keys, and null where null is not allowed', () => {
    const { count: _, ...noCount } = good;
    assert.deepEqual(problemsOf(noCount), ['count: missing']);
    assert.deepEqual(problemsOf(withField({ count: null })), ['count: expected an integer 1..20, got null']);
    assert.deepEqual(problemsOf(withField({ items: [{ host: 'h' }] })), ['items[0].name: missing']);
  });

  it('reports duplicates in a list of objects', () => {
    assert.deepEqual(problemsOf(withField({ items: [{ name: 'a', host: 'h' }, { name: 'b', host: 'h' }, { name: 'a', host: 'h' }] })), [
      'items[2].name: duplicate name "a", already used by items[0]',
    ]);
  });

  it('applies check functions and record key checks', () => {
    assert.deepEqual(problemsOf(withField({ items: [{ name: 'a', host: 'a/b' }] })), ['items[0].host: has a slash']);
    assert.deepEqual(problemsOf(withField({ table: { x: 1, '5': 'no' } })), [
      // integer-like keys come first in a JS object
      'table["5"]: expected a number, got a string',
      'table.x: must be digits',
    ]);
  });

  it('describes a oneOf that matches no option', () => {
    assert.deepEqual(problemsOf(withField({ amount: true })), ['amount: expected a number > 0 or "unlimited", got true']);
    assert.deepEqual(problemsOf(withField({ amount: 'all' })), ['amount: expected "unlimited", got "all"']);
  });

  it('lists the tables that replace instead of merging', () => {
    assert.deepEqual(replacePaths(spec), [['table']]);
  });

  it('formats paths', () => {
    assert.equal(formatPath(['a', 'b', 0, 'c']), 'a.b[0].c');
    assert.equal(formatPath(['columns', 'my producer']), 'columns["my producer"]');
    assert.equal(formatPath([]), '(top level)');
  });
});
