/**
 * A freqtrade config file as it is, so one file serves both freqtrade and ft-edge: JSON with `//` and `/* *\/`
 * comments and trailing commas (JSON5 parses them), its `add_config_files` resolved as freqtrade resolves them
 * (relative to the file, the file's own values winning over the ones it adds, at most 5 levels deep). Of its
 * top-level keys, ft-edge takes the ones it implements with freqtrade's meaning; freqtrade's other keys are
 * named in one warning; a key that is neither freqtrade's nor ft-edge's is a problem.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import JSON5 from 'json5';
import { FREQTRADE_KEYS } from './freqtrade-keys.js';
import { ioReason } from './tokens.js';
import { isPlainObject, suggestion } from './validator.js';

/** freqtrade configs are small; a multi-megabyte file is a mistake, not a config. */
export const MAX_CONFIG_BYTES = 4 << 20;
/** freqtrade's own limit on nested add_config_files. */
const MAX_DEPTH = 5;

/**
 * Keys of a freqtrade config that ft-edge does not take although it has a key of that name: freqtrade's `datadir`
 * is its candle data, ft-edge's its state; freqtrade's `strategy` is a Python class ft-edge cannot run.
 */
const SAME_NAME_OTHER_MEANING: ReadonlySet<string> = new Set(['datadir', 'strategy']);

export type FreqtradeFile =
  | {
      readonly ok: true;
      /** The keys ft-edge takes, with their values. */
      readonly taken: Record<string, unknown>;
      /** freqtrade keys ft-edge does not implement (or reads with another meaning), sorted. */
      readonly ignored: readonly string[];
      /** Every file read, the given one first. */
      readonly files: readonly string[];
    }
  | { readonly ok: false; readonly problem: string };

/** Reads `file` (and what it adds); `ftEdgeKeys` are the top-level keys ft-edge's configuration has. */
export function readFreqtradeFile(file: string, ftEdgeKeys: readonly string[]): FreqtradeFile {
  const files: string[] = [];
  const doc = readWithAdded(file, 0, files);
  if (typeof doc === 'string') return { ok: false, problem: doc };
  const taken: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'add_config_files' || key === 'config_files') continue;
    if (ftEdgeKeys.includes(key) && !SAME_NAME_OTHER_MEANING.has(key)) taken[key] = value;
    else if (FREQTRADE_KEYS.has(key)) ignored.push(key);
    else return { ok: false, problem: `${file}: unknown key ${JSON.stringify(key)}${suggestion(key, [...FREQTRADE_KEYS, ...ftEdgeKeys])}` };
  }
  if (taken['external_message_consumer'] === undefined) return { ok: false, problem: `${file} has no external_message_consumer block` };
  return { ok: true, taken, ignored: ignored.sort(), files };
}

/** The file's document merged over the files it adds, or one problem line. */
function readWithAdded(file: string, depth: number, files: string[]): Record<string, unknown> | string {
  if (depth > MAX_DEPTH) return `${file}: add_config_files nested more than ${MAX_DEPTH} levels (a loop?)`;
  const doc = readJsonFile(file);
  if (typeof doc === 'string') return doc;
  files.push(file);
  const added = doc['add_config_files'];
  if (added === undefined) return doc;
  if (!Array.isArray(added) || !added.every((f) => typeof f === 'string')) return `${file}: add_config_files must be a list of file names`;
  let base: Record<string, unknown> = {};
  for (const name of added as string[]) {
    const sub = readWithAdded(isAbsolute(name) ? name : join(dirname(file), name), depth + 1, files);
    if (typeof sub === 'string') return sub;
    base = deepMerge(base, sub); // a later file wins over an earlier one
  }
  return deepMerge(base, doc); // the file's own values win over the ones it adds
}

function readJsonFile(file: string): Record<string, unknown> | string {
  let text: string;
  try {
    const buf = readFileSync(file);
    if (buf.length > MAX_CONFIG_BYTES) return `${file} is larger than ${MAX_CONFIG_BYTES >> 20} MB`;
    text = buf.toString('utf8');
  } catch (e) {
    return `cannot read ${file}: ${ioReason(e)}`;
  }
  let doc: unknown;
  try {
    doc = JSON5.parse(text);
  } catch (e) {
    // JSON5's messages name the position only ("invalid character 'x' at 3:5"), never the text around it.
    return `${file} is not valid JSON: ${(e as Error).message.replace(/^JSON5: /, '')}`;
  }
  return isPlainObject(doc) ? doc : `${file} is not a JSON object`;
}

/** freqtrade's deep_merge_dicts: objects key by key, everything else (lists, null) replaced by `over`. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(v) && isPlainObject(b) ? deepMerge(b, v) : v;
  }
  return out;
}
