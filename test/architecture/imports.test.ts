/**
 * The seams between src/ folders, checked on the source: no import cycle between folders or between files, each
 * folder entered only through its index.ts, and the demo producer (the test oracle) independent of the daemon.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import test from 'node:test';
import { REPO_ROOT } from '../helpers/vectors.js';

const SRC = join(REPO_ROOT, 'src');

interface Edge {
  readonly from: string;
  readonly to: string;
  /** `import type` / `export type`: erased at run time. */
  readonly typeOnly: boolean;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** Every relative import of every file in src/, as paths relative to src/ with .ts endings. */
function edges(): Edge[] {
  const out: Edge[] = [];
  const pattern = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g;
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(pattern)) {
      const spec = m[3] ?? m[4]!;
      const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      out.push({ from: relative(SRC, file), to: relative(SRC, target), typeOnly: m[2] !== undefined });
    }
  }
  return out;
}

/** 'wire/envelope.ts' -> 'wire'; a file at the top (main.ts, log.ts) is a unit of its own. */
function folder(path: string): string {
  return path.includes('/') ? path.slice(0, path.indexOf('/')) : path.replace(/\.ts$/, '');
}

/** One cycle of the graph as a path 'a -> b -> a', or null. */
function findCycle(graph: Map<string, Set<string>>): string | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string | null => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 'open') return [...stack.slice(stack.indexOf(m)), m].join(' -> ');
      if (state.get(m) === undefined) {
        const c = visit(m);
        if (c !== null) return c;
      }
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of [...graph.keys()].sort()) {
    if (state.get(n) === undefined) {
      const c = visit(n);
      if (c !== null) return c;
    }
  }
  return null;
}

function graphOf(list: readonly Edge[], node: (p: string) => string): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const e of list) {
    const a = node(e.from), b = node(e.to);
    if (a === b) continue;
    if (!g.has(a)) g.set(a, new Set());
    g.get(a)!.add(b);
  }
  return g;
}

const all = edges();

test('the import scanner sees the imports (a check that finds nothing must be able to)', () => {
  assert.ok(all.length > 100, `only ${all.length} imports found`);
  assert.ok(all.some((e) => e.from === 'main.ts' && folder(e.to) === 'ingest'), 'main.ts imports the ingest service');
  assert.ok(all.some((e) => e.typeOnly), 'type-only imports are told apart');
  const g = new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]]);
  assert.equal(findCycle(g), 'a -> b -> c -> a');
});

test('no import cycle between folders (type-only imports included)', () => {
  assert.equal(findCycle(graphOf(all, folder)), null);
});

test('no import cycle between files (type-only imports included)', () => {
  assert.equal(findCycle(graphOf(all, (p) => p)), null);
});

test('a folder is entered only through its index.ts', () => {
  const bad = all
    .filter((e) => folder(e.from) !== folder(e.to) && e.to.includes('/') && !e.to.endsWith('/index.ts'))
    .map((e) => `${e.from} imports ${e.to}`);
  assert.deepEqual(bad, []);
});

test('protocol/ imports nothing of ft-edge, and demo/ (the test oracle) only protocol/', () => {
  const bad = all
    .filter((e) => folder(e.from) !== folder(e.to))
    .filter((e) => folder(e.from) === 'protocol' || (folder(e.from) === 'demo' && folder(e.to) !== 'protocol'))
    .map((e) => `${e.from} imports ${e.to}`);
  assert.deepEqual(bad, []);
});
