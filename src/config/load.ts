/**
 * The only reader of configuration. Sources, later ones winning key by key: ft-edge's shipped defaults, then the
 * user's freqtrade config files (`freqtrade_config`, or `--config`) with the keys ft-edge implements, then
 * node-config's sources (config files, $NODE_CONFIG, custom environment variables: ft-edge's own settings), then
 * the command line's override. Then validation, token resolution and the automatic paths. Never throws: every
 * mistake becomes one line naming the key path and where it was set.
 */
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import JSON5 from 'json5';
import { documentProblems } from './document-check.js';
import { FREQTRADE_KEYS } from './freqtrade-keys.js';
import { MAX_CONFIG_BYTES, readFreqtradeFile } from './freqtrade-file.js';
import { automaticDatadir, automaticSocket, ETC_DIR, SHIPPED_CONFIG_DIR, SHIPPED_DEFAULTS } from './locations.js';
import { configSpec, ledsSpec } from './schema.js';
import { validated } from './schema-builder.js';
import { exposure, ioReason, resolveTokens } from './tokens.js';
import { resolveLiveAccount } from './live-account.js';
import type { Config, ExchangeConfig, LedConfig, ValidatedConfig } from './types.js';
import { checkConsistency } from './consistency.js';
import { formatPath, isPlainObject, replacePaths, type Path, type Problem } from './validator.js';

export type LoadResult =
  | {
      ok: true;
      config: Config;
      warnings: string[];
      sources: string[];
      /** Key path of every effective value ('external_message_consumer.wait_timeout') -> the source that set it. */
      origins: Record<string, string>;
    }
  | { ok: false; problems: string[]; warnings: string[]; sources: string[] };

export interface LoadOptions {
  /** Merged over every other source (`ft-edge demo` uses it). */
  readonly override?: Record<string, unknown>;
  /** false: the shipped defaults and `override` only, no node-config sources (files, $NODE_CONFIG). */
  readonly userConfig?: boolean;
  /** freqtrade config files given on the command line (`--config`); they replace `freqtrade_config`. */
  readonly freqtradeConfig?: readonly string[];
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
  if ('problems' in g) return fail(g.problems, []);
  const { layers } = g;
  const problems: Problem[] = [];

  const files = opts.freqtradeConfig ?? freqtradeFiles(mergeLayers(layers)['freqtrade_config']);
  const ftLayers: Layer[] = [];
  for (const file of files) {
    const ft = readFreqtradeFile(file, Object.keys(configSpec.fields));
    if (!ft.ok) return fail(format([{ path: ['freqtrade_config'], message: ft.problem }], layers), layers);
    const bad = documentProblems(ft.taken);
    if (bad.length > 0) return fail(bad.map((p) => `${formatPath(p.path)}: ${p.message} (in ${file})`), layers);
    if (ft.ignored.length > 0) warnings.push(`${file}: freqtrade settings ft-edge does not implement, ignored: ${ft.ignored.join(', ')}`);
    ftLayers.push({ name: ft.files.length > 1 ? `${file} (with ${ft.files.slice(1).join(', ')})` : file, parsed: ft.taken });
  }
  layers.splice(1, 0, ...ftLayers); // over the shipped defaults, under ft-edge's own settings
  ignoreFreqtradeOnlyKeys(layers.slice(1 + ftLayers.length), warnings);
  const merged = mergeLayers(layers);

  const valid = validated(configSpec, merged, problems);
  checkConsistency(valid, problems, warnings);
  warnExposedTokenFiles(layers, warnings);
  if (problems.length > 0) return fail(format(problems, layers), layers);
  // Tokens are resolved only for a producer list that passed the schema.
  const { $schema: _, exchange, ...rest } = valid;
  const emc = valid.external_message_consumer;
  const producers = resolveTokens(emc.producers, env['CREDENTIALS_DIRECTORY'], [EMC, 'producers'], problems, warnings);
  const live = resolveLiveAccount(valid, env['CREDENTIALS_DIRECTORY'], problems, warnings);
  if (problems.length > 0) return fail(format(problems, layers), layers);
  const config: Config = {
    ...rest,
    external_message_consumer: { ...emc, producers },
    control: { socket: valid.control.socket ?? automaticSocket(env) },
    datadir: valid.datadir ?? automaticDatadir(env),
    exchange: exchange === undefined ? undefined : withoutSecrets(exchange),
    live,
  };
  return { ok: true, config, warnings, sources: layers.map((l) => l.name), origins: origins(config, layers) };
}

/** The exchange block with its secrets left out (they are in Config.live, resolved). */
function withoutSecrets(e: NonNullable<ValidatedConfig['exchange']>): ExchangeConfig {
  const { key: _k, secret: _s, password: _p, uid: _u, key_file: _kf, secret_file: _sf, ...rest } = e;
  return rest;
}

/** `freqtrade_config` as a list of files (the schema checks it once everything is merged). */
function freqtradeFiles(v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  return list.filter((f): f is string => typeof f === 'string' && f.startsWith('/'));
}

/**
 * A whole freqtrade config pasted into ft-edge's own file: its keys ft-edge does not implement are named in one
 * warning per file and left out, instead of one "unknown key" problem each.
 */
function ignoreFreqtradeOnlyKeys(own: readonly Layer[], warnings: string[]): void {
  for (const l of own) {
    const ignored = Object.keys(l.parsed).filter((k) => FREQTRADE_KEYS.has(k) && !Object.hasOwn(configSpec.fields, k));
    if (ignored.length === 0) continue;
    for (const k of ignored) delete l.parsed[k];
    warnings.push(`${l.name}: freqtrade settings ft-edge does not implement, ignored: ${ignored.sort().join(', ')}`);
  }
}

/** Where each effective value came from: every leaf (a list counts as one value) -> its source. */
function origins(config: Config, layers: readonly Layer[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (v: unknown, path: string[]): void => {
    if (v === undefined || (path.length === 1 && !Object.hasOwn(configSpec.fields, path[0]!))) return; // derived (live)
    if (isPlainObject(v) && Object.keys(v).length > 0 && !replacePaths(configSpec).some((r) => r.join('.') === path.join('.'))) {
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
      return;
    }
    const from = originOf(path, layers);
    const set = from === undefined ? undefined : getPath(layers.find((l) => l.name === from)?.parsed, path);
    // A null the loader filled in (the control socket, the state directory) is the loader's choice.
    out[formatPath(path)] = from === undefined || set === undefined || (set === null && v !== null) ? 'automatic' : from;
  };
  walk(config, []);
  return out;
}

export type LocalPathsResult =
  | { ok: true; socket: string; datadir: string; /** exchange.name, if one is configured ('' if not). */ exchange: string }
  | { ok: false; problems: string[] };

/**
 * Only control.socket and datadir, for the client commands (status, export), which must work for a user who
 * cannot read the service's token files and whatever else the configuration gets wrong.
 */
export function loadLocalPaths(opts: LoadOptions = {}): LocalPathsResult {
  const env = process.env;
  const g = gather(opts, env, []);
  if ('problems' in g) return { ok: false, problems: g.problems };
  const problems: Problem[] = [];
  const control = validated(configSpec.fields.control, g.merged['control'], problems, configSpec, ['control']);
  const datadir = validated(configSpec.fields.datadir, g.merged['datadir'], problems, configSpec, ['datadir']);
  if (problems.length > 0) return { ok: false, problems: format(problems, g.layers) };
  const exchange = isPlainObject(g.merged['exchange']) && typeof g.merged['exchange']['name'] === 'string' ? g.merged['exchange']['name'] : '';
  return { ok: true, socket: control.socket ?? automaticSocket(env), datadir: datadir ?? automaticDatadir(env), exchange };
}

export type LedsResult = { ok: true; leds: readonly LedConfig[] } | { ok: false; problems: string[] };

/**
 * Only appliance.leds, for `ft-edge alarm`, which must show a configuration error on the LEDs whatever else the
 * configuration gets wrong.
 */
export function loadLeds(opts: LoadOptions = {}): LedsResult {
  const g = gather(opts, process.env, []);
  if ('problems' in g) return { ok: false, problems: g.problems };
  const problems: Problem[] = [];
  const appliance = g.merged['appliance'];
  const path = ['appliance', 'leds'];
  const leds = validated(ledsSpec, isPlainObject(appliance) ? appliance['leds'] : undefined, problems, configSpec, path);
  if (problems.length > 0) return { ok: false, problems: format(problems, g.layers) };
  return { ok: true, leds };
}

/**
 * The shipped defaults, node-config's sources and the override, merged; or the problems that keep them from
 * being read (a document no configuration may hold, document-check.ts, names its key path and source).
 */
function gather(
  opts: LoadOptions,
  env: NodeJS.ProcessEnv,
  warnings: string[],
): { layers: Layer[]; merged: Record<string, unknown> } | { problems: string[] } {
  const shipped = readShippedDefaults();
  if (typeof shipped === 'string') return { problems: [shipped] };
  const layers: Layer[] = [{ name: SHIPPED_DEFAULTS, parsed: shipped }];
  if (opts.userConfig !== false) {
    const user = readNodeConfig(env, warnings);
    if (!Array.isArray(user)) return user;
    layers.push(...user);
  }
  if (opts.override !== undefined) layers.push({ name: 'command line', parsed: opts.override });
  return { layers, merged: mergeLayers(layers) };
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
 * node-config's own sources, or their problems. Its console noise (strict-mode and empty-directory warnings)
 * is captured and kept as warnings; a malformed $NODE_CONFIG, which it would only complain about and ignore,
 * is a problem here. node-config merges its sources into plain objects, so a `__proto__` key would change every
 * object in the process before ft-edge saw it: the texts ft-edge can read are checked first, and the prototypes
 * are compared before and after for the formats it cannot.
 */
function readNodeConfig(env: NodeJS.ProcessEnv, warnings: string[]): Layer[] | { problems: string[] } {
  if ((env['NODE_CONFIG_DIR'] ?? '') === '' && !hasArg('NODE_CONFIG_DIR')) {
    env['NODE_CONFIG_DIR'] = SHIPPED_CONFIG_DIR + delimiter + ETC_DIR;
  }
  // NODE_ENV=production without a production.json is normal for ft-edge, not worth a warning on every start.
  if (env['NODE_CONFIG_STRICT_MODE'] === undefined) env['SUPPRESS_STRICTNESS_CHECK'] ??= '1';
  const problems: string[] = [];
  for (const [label, text] of [
    ['$NODE_CONFIG', env['NODE_CONFIG']],
    ['--NODE_CONFIG', argValue('NODE_CONFIG')],
  ] as const) {
    if (text === undefined) continue;
    const doc = jsonObject(text);
    if (typeof doc === 'string') return { problems: [`${label} ${doc}`] };
    problems.push(...documentProblems(doc).map((p) => `${formatPath(p.path)}: ${p.message} (in ${label})`));
    if (label === '--NODE_CONFIG' && text.includes('ws_token')) {
      warnings.push('--NODE_CONFIG holds a ws_token and every user can read it in the process list: use a 0600 file or LoadCredential=');
    }
  }
  problems.push(...oversizeFiles(env['NODE_CONFIG_DIR'] ?? argValue('NODE_CONFIG_DIR') ?? ''));
  if (problems.length > 0) return { problems };
  const noise: string[] = [];
  const saved = { error: console.error, warn: console.warn, log: console.log };
  const capture = (...args: unknown[]): void => void noise.push(args.map(String).join(' '));
  console.error = console.warn = console.log = capture;
  const before = prototypeKeys();
  try {
    const config = createRequire(import.meta.url)('config') as NodeConfig;
    const sources = config.util.getConfigSources().filter((s) => s.name !== SHIPPED_DEFAULTS); // already the base layer
    for (const src of sources) problems.push(...documentProblems(src.parsed).map((p) => `${formatPath(p.path)}: ${p.message} (in ${src.name})`));
    if (restorePrototypes(before)) problems.push('a configuration source sets a key that reaches the prototype of every object (__proto__, constructor, prototype)');
    return problems.length > 0 ? { problems } : sources.map((s) => ({ name: s.name, parsed: plain(s.parsed) }));
  } catch (e) {
    restorePrototypes(before);
    if (e instanceof RangeError) return { problems: ['a configuration file is nested too deeply to read (stack overflow); real configurations are a few levels deep'] };
    return { problems: [firstLine((e as Error).message ?? String(e))] };
  } finally {
    Object.assign(console, saved);
    for (const line of noise) {
      const text = firstLine(line).replace(/^(WARNING|ERROR|FATAL): /, '');
      if (text !== '' && !text.startsWith('See https://')) warnings.push(`node-config: ${text}`);
    }
  }
}

const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype] as const;

function prototypeKeys(): string[][] {
  return PROTOTYPES.map((p) => Reflect.ownKeys(p).map(String));
}

/** Removes what was added to the built-in prototypes since `before`; whether there was anything. */
function restorePrototypes(before: readonly string[][]): boolean {
  let polluted = false;
  PROTOTYPES.forEach((proto, i) => {
    for (const key of Reflect.ownKeys(proto)) {
      if (before[i]!.includes(String(key))) continue;
      polluted = true;
      delete (proto as Record<string | symbol, unknown>)[key];
    }
  });
  return polluted;
}

/** Files in node-config's directories over the size a configuration can have (node-config reads them whole). */
function oversizeFiles(dirs: string): string[] {
  const out: string[] = [];
  for (const dir of dirs.split(delimiter).filter((d) => d !== '')) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue; // node-config says so itself
    }
    for (const name of names) {
      const path = join(dir, name);
      try {
        const st = statSync(path);
        if (st.isFile() && st.size > MAX_CONFIG_BYTES) out.push(`${path} is larger than ${MAX_CONFIG_BYTES >> 20} MB: not a configuration file`);
      } catch {
        // vanished or unreadable: node-config reports what it cannot read
      }
    }
  }
  return out;
}

interface NodeConfig {
  util: { getConfigSources(): { name: string; parsed: unknown }[] };
}

/** `text` as a JSON object, or what is wrong with it; never quotes the text (it may hold a token). */
function jsonObject(text: string): Record<string, unknown> | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message);
    return `is not valid JSON${at === null ? '' : ` (error at character ${at[1]})`}`;
  }
  return isPlainObject(doc) ? doc : 'must be a JSON object';
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
    // documentProblems() refused these already; never follow one into a prototype.
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    const t = Object.hasOwn(target, k) ? target[k] : undefined;
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
