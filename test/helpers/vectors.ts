/** The shared wire vectors: `shared/vectors` beside the checkout (as CI has it), or $FT_EDGE_VECTORS. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from dist/test/helpers/ or test/helpers/. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', ...(import.meta.url.includes('/dist/') ? ['..'] : []));

export const VECTORS_DIR = process.env['FT_EDGE_VECTORS'] ?? join(REPO_ROOT, '..', 'shared', 'vectors');
if (!existsSync(join(VECTORS_DIR, 'index.json'))) {
  throw new Error(`the shared vectors are missing at ${VECTORS_DIR}: set FT_EDGE_VECTORS to their directory`);
}

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
