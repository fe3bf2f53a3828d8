/**
 * The only reader of configuration: node-config's sources (config files, $NODE_CONFIG, custom environment
 * variables) merged over ft-edge's shipped defaults, then an optional freqtrade config file's block, then
 * validation, token resolution and the automatic paths. Never throws: every mistake becomes one line naming
 * the key path and where it was set.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import JSON5 from 'json5';
import { readFreqtradeBlock } from './freqtrade-file.js';
import { automaticDatadir, automaticSocket, ETC_DIR, SHIPPED_CONFIG_DIR, SHIPPED_DEFAULTS } from './locations.js';
import { configSpec, ledsSpec } from './schema.js';
import { validated } from './schema-builder.js';
import { exposure, ioReason, resolveTokens } from './tokens.js';
import type { Config, LedConfig } from './types.js';
import { checkConsistency } from './consistency.js';
import { formatPath, isPlainObject, replacePaths, type Path, type Problem } from './validator.js';

export type LoadResult =
  | { ok: true; config: Config; warnings: string[]; sources: string[] }
  | { ok: false; problems: string[]; warnings: string[]; sources: string[] };

export interface LoadOptions {
  /** Merged over every other source (`ft-edge demo` uses it). */
  readonly override?: Record<string, unknown>;
  /** false: the shipped defaults and `override` only, no node-config sources (files, $NODE_CONFIG). */
  readonly userConfig?: boolean;
}

/** One configuration source, in merge order. */
interface Layer {
  readonly name: string;
  readonly parsed: Record<string, unknown>;
}

const EMC = 'external_message_consumer';

/**
 * Loads and validates the configuration. node-config reads its environment once per process, so later calls
 * see the same node-config sources.
 */
export function loadConfig(opts: LoadOptions = {}): LoadResult {
  const env = process.env;
  const warnings: string[] = [];
  const fail = (problems: string[], layers: readonly Layer[]): LoadResult => ({
    ok: false,
    problems,
    warnings,
    sources: layers.map((l) => l.name),
  });
  const g = gather(opts, env, warnings);
  if (typeof g === 'string') return fail([g], []);
  const { layers, merged } = g;

  const problems: Problem[] = [];
  const ftFile = merged['freqtrade_config'];
  if (typeof ftFile === 'string' && ftFile.startsWith('/')) {
    const ft = readFreqtradeBlock(ftFile);
    if (!ft.ok) return fail(format([{ path: ['freqtrade_config'], message: ft.problem }], layers), layers);
    const shadowed = layers.filter((l) => l.name !== SHIPPED_DEFAULTS && l.parsed[EMC] !== undefined);
    for (const l of shadowed) warnings.push(`${EMC} in ${l.name} is ignored: freqtrade_config ${ftFile} provides it`);
    const fileLayer = { name: ftFile, parsed: { [EMC]: ft.block } };
    merged[EMC] = mergeLayers([{ name: SHIPPED_DEFAULTS, parsed: { [EMC]: g.shipped[EMC] } }, fileLayer])[EMC];
    layers.push(fileLayer);
  }

  const valid = validated(configSpec, merged, problems);
  checkConsistency(valid, problems, warnings);
  warnExposedTokenFiles(layers, warnings);
  if (problems.length > 0) return fail(format(problems, layers), layers);
  // Tokens are resolved only for a producer list that passed the schema.
  const { $schema: _, ...rest } = valid;
  const emc = valid.external_message_consumer;
  const producers = resolveTokens(emc.producers, env['CREDENTIALS_DIRECTORY'], [EMC, 'producers'], problems, warnings);
  if (problems.length > 0) return fail(format(problems, layers), layers);
  const config: Config = {
    ...rest,
    external_message_consumer: { ...emc, producers },
    control: { socket: valid.control.socket ?? automaticSocket(env) },
    datadir: valid.datadir ?? automaticDatadir(env),
  };
  return { ok: true, config, warnings, sources: layers.map((l) => l.name) };
}

export type LocalPathsResult = { ok: true; socket: string; datadir: string } | { ok: false; problems: string[] };

/**
 * Only control.socket and datadir, for the client commands (status, export), which must work for a user who
 * cannot read the service's token files and whatever else the configuration gets wrong.
 */
export function loadLocalPaths(opts: LoadOptions = {}): LocalPathsResult {
  const env = process.env;
  const g = gather(opts, env, []);
  if (typeof g === 'string') return { ok: false, problems: [g] };
  const problems: Problem[] = [];
  const control = validated(configSpec.fields.control, g.merged['control'], problems, configSpec, ['control']);
  const datadir = validated(configSpec.fields.datadir, g.merged['datadir'], problems, configSpec, ['datadir']);
  if (problems.length > 0) return { ok: false, problems: format(problems, g.layers) };
  return { ok: true, socket: control.socket ?? automaticSocket(env), datadir: datadir ?? automaticDatadir(env) };
}

export type LedsResult = { ok: true; leds: readonly LedConfig[] } | { ok: false; problems: string[] };

/**
 * Only appliance.leds, for `ft-edge alarm`, which must show a configuration error on the LEDs whatever else the
 * configuration gets wrong.
 */
export function loadLeds(opts: LoadOptions = {}): LedsResult {
  const g = gather(opts, process.env, []);
  if (typeof g === 'string') return { ok: false, problems: [g] };
  const problems: Problem[] = [];
  const appliance = g.merged['appliance'];
  const path = ['appliance', 'leds'];
  const leds = validated(ledsSpec, isPlainObject(appliance) ? appliance['leds'] : undefined, problems, configSpec, path);
  if (problems.length > 0) return { ok: false, problems: format(problems, g.layers) };
  return { ok: true, leds };
}

/** The shipped defaults, node-config's sources and the override, merged; or one problem line. */
function gather(
  opts: LoadOptions,
  env: NodeJS.ProcessEnv,
  warnings: string[],
): { layers: Layer[]; merged: Record<string, unknown>; shipped: Record<string, unknown> } | string {
  const shipped = readShippedDefaults();
  if (typeof shipped === 'string') return shipped;
  const layers: Layer[] = [{ name: SHIPPED_DEFAULTS, parsed: shipped }];
  if (opts.userConfig !== false) {
    const user = readNodeConfig(env, warnings);
    if (typeof user === 'string') return user;
    layers.push(...user);
  }
  if (opts.override !== undefined) layers.push({ name: 'command line', parsed: opts.override });
  return { layers, merged: mergeLayers(layers), shipped };
}

function readShippedDefaults(): Record<string, unknown> | string {
  try {
    const doc: unknown = JSON5.parse(readFileSync(SHIPPED_DEFAULTS, 'utf8'));
    return isPlainObject(doc) ? doc : `${SHIPPED_DEFAULTS} is not a JSON object (broken installation)`;
  } catch (e) {
    return `cannot read the shipped defaults ${SHIPPED_DEFAULTS}: ${ioReason(e)} (broken installation)`;
  }
}

/**
 * node-config's own sources, or one problem line. Its console noise (strict-mode and empty-directory warnings)
 * is captured and kept as warnings; a malformed $NODE_CONFIG, which it would only complain about and ignore,
 * is a problem here.
 */
function readNodeConfig(env: NodeJS.ProcessEnv, warnings: string[]): Layer[] | string {
  if ((env['NODE_CONFIG_DIR'] ?? '') === '' && !hasArg('NODE_CONFIG_DIR')) {
    env['NODE_CONFIG_DIR'] = SHIPPED_CONFIG_DIR + delimiter + ETC_DIR;
  }
  // NODE_ENV=production without a production.json is normal for ft-edge, not worth a warning on every start.
  if (env['NODE_CONFIG_STRICT_MODE'] === undefined) env['SUPPRESS_STRICTNESS_CHECK'] ??= '1';
  for (const [label, text] of [
    ['$NODE_CONFIG', env['NODE_CONFIG']],
    ['--NODE_CONFIG', argValue('NODE_CONFIG')],
  ] as const) {
    const problem = text === undefined ? undefined : jsonObjectProblem(text);
    if (problem !== undefined) return `${label} ${problem}`;
  }
  const noise: string[] = [];
  const saved = { error: console.error, warn: console.warn, log: console.log };
  const capture = (...args: unknown[]): void => void noise.push(args.map(String).join(' '));
  console.error = console.warn = console.log = capture;
  try {
    const config = createRequire(import.meta.url)('config') as NodeConfig;
    return config.util
      .getConfigSources()
      .filter((s) => s.name !== SHIPPED_DEFAULTS) // already the base layer
      .map((s) => ({ name: s.name, parsed: plain(s.parsed) }));
  } catch (e) {
    return firstLine((e as Error).message ?? String(e));
  } finally {
    Object.assign(console, saved);
    for (const line of noise) {
      const text = firstLine(line).replace(/^(WARNING|ERROR|FATAL): /, '');
      if (text !== '' && !text.startsWith('See https://')) warnings.push(`node-config: ${text}`);
    }
  }
}

interface NodeConfig {
  util: { getConfigSources(): { name: string; parsed: unknown }[] };
}

/** undefined when `text` is a JSON object; never quotes the text (it may hold a token). */
function jsonObjectProblem(text: string): string | undefined {
  try {
    return isPlainObject(JSON.parse(text)) ? undefined : 'must be a JSON object';
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message);
    return `is not valid JSON${at === null ? '' : ` (error at character ${at[1]})`}`;
  }
}

function hasArg(name: string): boolean {
  return argValue(name) !== undefined;
}

/** node-config also reads `--NAME=value` from the command line. */
function argValue(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.slice(2).find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

/** A plain JSON copy (config files written in JS may hold functions or class instances). */
function plain(v: unknown): Record<string, unknown> {
  const copy: unknown = v === undefined || v === null ? {} : JSON.parse(JSON.stringify(v));
  return isPlainObject(copy) ? copy : {};
}

function firstLine(s: string): string {
  return s.split('\n', 1)[0]!.trim();
}

/**
 * node-config's merge (objects key by key; lists and scalars replace), except that the tables the schema marks
 * `replace` take the value of the last source that sets them as a whole.
 */
function mergeLayers(layers: readonly Layer[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const l of layers) mergeInto(out, l.parsed);
  for (const path of replacePaths(configSpec)) {
    const last = [...layers].reverse().find((l) => getPath(l.parsed, path) !== undefined);
    if (last !== undefined) setPath(out, path, structuredClone(getPath(last.parsed, path)));
  }
  return out;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    const t = target[k];
    if (isPlainObject(t) && isPlainObject(v)) mergeInto(t, v);
    else target[k] = structuredClone(v);
  }
}

function getPath(obj: unknown, path: Path): unknown {
  let cur = obj;
  for (const seg of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const seg of path.slice(0, -1)) {
    if (!isPlainObject(cur[seg])) cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

/** 'store.capacity: must be 1..1500, got 0 (in /etc/ft-edge/local.json)'. */
function format(problems: readonly Problem[], layers: readonly Layer[]): string[] {
  return problems.map((p) => {
    const origin = originOf(p.path, layers);
    return `${formatPath(p.path)}: ${p.message}${origin === undefined ? '' : ` (in ${origin})`}`;
  });
}

/** The last source that sets `path`, or the closest parent of it (for a missing key). */
function originOf(path: Path, layers: readonly Layer[]): string | undefined {
  for (let n = path.length; n > 0; n--) {
    const prefix = path.slice(0, n);
    const layer = [...layers].reverse().find((l) => getPath(l.parsed, prefix) !== undefined);
    if (layer !== undefined) return layer.name;
  }
  return undefined;
}

/** Config files that hold a ws_token and can be read by others ($NODE_CONFIG and such are no files: skipped). */
function warnExposedTokenFiles(layers: readonly Layer[], warnings: string[]): void {
  for (const l of layers) {
    const list = getPath(l.parsed, [EMC, 'producers']);
    const holdsToken = Array.isArray(list) && list.some((p) => isPlainObject(p) && typeof p['ws_token'] === 'string');
    const exposed = holdsToken ? exposure(l.name) : undefined;
    if (exposed !== undefined) warnings.push(`${l.name} holds a ws_token and ${exposed}`);
  }
}
