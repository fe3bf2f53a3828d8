/**
 * Resolves the config's `strategy` (a built-in's name, or the absolute path of a user's .js/.mjs module) into
 * a validated strategy with its parameters merged. Every problem is one line naming the strategy and the
 * field; nothing here throws.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { timeframeMs } from '../protocol/index.js';
import {
  TRADABLE_CANDLE_TYPES, type ParamValue, type Params, type StrategyDefinition, type TradableCandleType,
} from './api.js';
import { BUILT_IN_STRATEGIES } from './builtin/index.js';
import { parseRoi } from './trade-math.js';

/** A strategy ready to run: its definition and the defaults it left out, filled in. */
export interface LoadedStrategy {
  readonly definition: StrategyDefinition;
  /** 'built-in' or the module's path. */
  readonly origin: string;
  readonly params: Params;
  readonly producer: string;
  readonly informative: readonly string[];
  /** null: any timeframe the producer sends. */
  readonly timeframe: string | null;
  readonly candleTypes: readonly TradableCandleType[];
  readonly columns: readonly string[];
  readonly canShort: boolean;
  /** Window rows; Infinity for the whole frame. */
  readonly lookback: number;
}

export type LoadResult = { ok: true; strategy: LoadedStrategy } | { ok: false; problems: string[] };

const DEFAULT_PRODUCER = 'default';

/** What the config may override: freqtrade's `timeframe` and the strategy's parameters. */
export interface StrategyOverrides {
  readonly params?: Readonly<Record<string, ParamValue>>;
  /** null or absent: the strategy's own. A freqtrade timeframe (the config schema checks it). */
  readonly timeframe?: string | null;
}

/** Loads a built-in by name or a user module by absolute path, and applies the config's overrides. */
export async function loadStrategy(spec: string, overrides: StrategyOverrides = {}): Promise<LoadResult> {
  const builtIn = BUILT_IN_STRATEGIES.get(spec);
  if (builtIn !== undefined) return checkStrategy(builtIn, 'built-in', overrides);
  if (!/[\\/]/.test(spec) && !/\.[cm]?js$/.test(spec)) {
    const names = [...BUILT_IN_STRATEGIES.keys()].join(', ');
    return fail(`unknown strategy "${spec}": name a built-in (${names}) or give the absolute path of a .js/.mjs module`);
  }
  if (!isAbsolute(spec)) return fail(`strategy path "${spec}" must be absolute`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(spec).href)) as Record<string, unknown>;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'ERR_MODULE_NOT_FOUND' && e.message?.includes(spec) === true) return fail(`strategy module ${spec} not found`);
    const text = err instanceof Error && err.name !== 'Error' ? `${err.name}: ${err.message}` : String(e.message ?? err);
    return fail(`strategy module ${spec} failed to load: ${text.split('\n')[0]}`);
  }
  const def = mod['default'] ?? mod['strategy'];
  if (def === undefined) return fail(`strategy module ${spec} exports no strategy (expected "export default { name, populate, ... }")`);
  return checkStrategy(def, spec, overrides);
}

/** The built-in strategies, as a config naming them would run them. */
export function builtInStrategies(): LoadedStrategy[] {
  return [...BUILT_IN_STRATEGIES.values()].flatMap((def) => {
    const r = checkStrategy(def, 'built-in', {});
    return r.ok ? [r.strategy] : [];
  });
}

/** Validates a strategy object (exported by a module, or built in) and applies the config's overrides. */
export function checkStrategy(def: unknown, origin: string, overrides: StrategyOverrides): LoadResult {
  if (typeof def !== 'object' || def === null) return fail(`strategy ${origin}: the export is ${typeName(def)}, not an object`);
  const d = def as Record<string, unknown>;
  const label = typeof d['name'] === 'string' && d['name'] !== '' ? `${d['name']} (${origin})` : origin;
  const problems: string[] = [];
  const bad = (field: string, want: string): void => {
    problems.push(`strategy ${label}: ${field} must be ${want}, got ${describe(d[field])}`);
  };
  if (typeof d['name'] !== 'string' || d['name'] === '') bad('name', 'a non-empty string');
  if (typeof d['populate'] !== 'function') bad('populate', 'a function (ctx, h) => signals');
  if (d['producer'] !== undefined && !isName(d['producer'])) bad('producer', 'a producer name');
  if (d['informative'] !== undefined && !(Array.isArray(d['informative']) && d['informative'].every(isName))) {
    bad('informative', 'a list of producer names');
  }
  if (d['timeframe'] !== undefined && (typeof d['timeframe'] !== 'string' || timeframeMs(d['timeframe']) === undefined)) {
    bad('timeframe', "a freqtrade timeframe ('5m', '1h', ...)");
  }
  const cts = d['candle_types'];
  if (cts !== undefined && !(Array.isArray(cts) && cts.length > 0 && cts.every((c) => (TRADABLE_CANDLE_TYPES as unknown[]).includes(c)))) {
    bad('candle_types', `a non-empty list of ${TRADABLE_CANDLE_TYPES.join(', ')}`);
  }
  if (d['columns'] !== undefined && !(Array.isArray(d['columns']) && d['columns'].every(isName))) bad('columns', 'a list of column names');
  if (d['can_short'] !== undefined && typeof d['can_short'] !== 'boolean') bad('can_short', 'a boolean');
  const lookback = d['lookback'];
  if (lookback !== undefined && !(Number.isInteger(lookback) && (lookback as number) >= 1)) bad('lookback', 'a whole number of rows >= 1');
  if (d['minimal_roi'] !== undefined) {
    const roi = typeof d['minimal_roi'] === 'object' && d['minimal_roi'] !== null ? parseRoi(d['minimal_roi'] as Record<string, unknown>) : 'x';
    if (typeof roi === 'string') bad('minimal_roi', 'an object of minutes -> ratio');
  }
  const sl = d['stoploss'];
  if (sl !== undefined && !(typeof sl === 'number' && sl >= -1 && sl < 0)) bad('stoploss', 'a negative ratio from -1 to 0');
  const defaults = d['parameters'] ?? {};
  if (typeof defaults !== 'object' || defaults === null || !Object.values(defaults).every(isParamValue)) {
    bad('parameters', 'an object of numbers, strings and booleans');
  }
  if (problems.length > 0) return { ok: false, problems };
  const params: Record<string, ParamValue> = { ...(defaults as Params) };
  const timeframe = overrides.timeframe ?? null; // the config schema checked it
  for (const [k, v] of Object.entries(overrides.params ?? {})) {
    const current = params[k];
    if (current === undefined) {
      const known = Object.keys(params);
      problems.push(`strategy ${label} has no parameter "${k}"${known.length > 0 ? ` (it has ${known.join(', ')})` : ''}`);
    } else if (typeof v !== typeof current) {
      problems.push(`strategy ${label}: parameter ${k} must be a ${typeof current}, got ${describe(v)}`);
    } else {
      params[k] = v;
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const definition = def as StrategyDefinition;
  return {
    ok: true,
    strategy: {
      definition,
      origin,
      params: Object.freeze(params),
      producer: definition.producer ?? DEFAULT_PRODUCER,
      informative: definition.informative ?? [],
      timeframe: timeframe ?? definition.timeframe ?? null,
      candleTypes: definition.candle_types ?? TRADABLE_CANDLE_TYPES,
      columns: definition.columns ?? [],
      canShort: definition.can_short ?? false,
      lookback: definition.lookback ?? Infinity,
    },
  };
}

function fail(problem: string): LoadResult {
  return { ok: false, problems: [problem] };
}

function isName(x: unknown): x is string {
  return typeof x === 'string' && x !== '';
}

function isParamValue(x: unknown): x is ParamValue {
  return (typeof x === 'number' && Number.isFinite(x)) || typeof x === 'string' || typeof x === 'boolean';
}

function typeName(x: unknown): string {
  return x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x;
}

function describe(x: unknown): string {
  if (typeof x === 'function') return 'a function';
  if (x === undefined) return 'nothing';
  const s = JSON.stringify(x);
  return s === undefined ? typeName(x) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
