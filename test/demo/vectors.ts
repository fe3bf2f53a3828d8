/** Where the shared wire vectors live: `shared/` beside the checkout (CI), or the workplace copy. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from dist/test/demo/ or test/demo/. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', ...(import.meta.url.includes('/dist/') ? ['..'] : []));

export const VECTORS_DIR = [join(REPO_ROOT, '..', 'shared', 'vectors'), '/work/shared/vectors'].find((d) =>
  existsSync(join(d, 'index.json')),
) ?? join(REPO_ROOT, '..', 'shared', 'vectors');

export function vectorNames(): string[] {
  return readdirSync(VECTORS_DIR)
    .filter((f) => f.endsWith('.wire'))
    .map((f) => f.slice(0, -'.wire'.length))
    .sort();
}

export function readWire(name: string): string {
  return readFileSync(join(VECTORS_DIR, `${name}.wire`), 'utf8');
}

export function readExpected(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(VECTORS_DIR, `${name}.expected.json`), 'utf8')) as Record<string, unknown>;
}
