/**
 * Builders for validator.ts's specs that carry the TypeScript type of what they accept, so one declaration gives
 * both the validation and the type (`Infer<typeof spec>`), as TypeBox does; and the JSON Schema of a spec, for
 * editors. The specs stay plain data: validator.ts walks them and knows nothing of the types.
 */
import {
  validate, type ArraySpec, type BooleanSpec, type JsonSpec, type NumberSpec, type ObjectSpec, type OneOfSpec, type Path,
  type Problem, type RecordSpec, type Spec, type StringSpec,
} from './validator.js';

/** A spec that accepts values of type T (the field exists only in the type system). */
export type Typed<S extends Spec, T> = S & { readonly __accepts?: T };

/** The type of what a typed spec accepts (null too when the spec is nullable). */
export type Infer<S> = S extends { readonly __accepts?: infer T } ? (S extends { readonly nullable: true } ? T | null : T) : never;

type AnyTyped = Typed<Spec, unknown>;

/** Fields a configuration may leave out: optional ones. */
type OptionalKeys<F> = { [K in keyof F]: F[K] extends { readonly optional: true } ? K : never }[keyof F];

type ObjectOf<F extends Readonly<Record<string, AnyTyped>>> = {
  readonly [K in Exclude<keyof F, OptionalKeys<F>>]: Infer<F[K]>;
} & {
  readonly [K in OptionalKeys<F>]?: Infer<F[K]>;
};

type Options<S extends Spec> = Omit<S, 'kind' | 'optional' | 'nullable' | 'default' | 'check'>;

export function boolean(opts: Options<BooleanSpec> & Pick<BooleanSpec, 'check'> = {}): Typed<BooleanSpec, boolean> {
  return { kind: 'boolean', ...opts };
}

export function number(opts: Options<NumberSpec> & Pick<NumberSpec, 'check'> = {}): Typed<NumberSpec, number> {
  return { kind: 'number', ...opts };
}

export function integer(opts: Omit<Options<NumberSpec>, 'integer'> & Pick<NumberSpec, 'check'> = {}): Typed<NumberSpec, number> {
  return { kind: 'number', integer: true, ...opts };
}

export function string(opts: Omit<Options<StringSpec>, 'enum'> & Pick<StringSpec, 'check'> = {}): Typed<StringSpec, string> {
  return { kind: 'string', ...opts };
}

/** One of a fixed list of strings. */
export function literal<const L extends readonly string[]>(values: L, opts: Omit<Options<StringSpec>, 'enum'> = {}): Typed<StringSpec, L[number]> {
  return { kind: 'string', enum: values, ...opts };
}

export function object<const F extends Readonly<Record<string, AnyTyped>>>(
  fields: F,
  opts: Omit<Options<ObjectSpec>, 'fields'> = {},
): Typed<ObjectSpec & { readonly fields: F }, ObjectOf<F>> {
  return { kind: 'object', fields, ...opts };
}

export function array<I extends AnyTyped>(items: I, opts: Omit<Options<ArraySpec>, 'items'> = {}): Typed<ArraySpec, readonly Infer<I>[]> {
  return { kind: 'array', items, ...opts };
}

/** An object of arbitrary keys, every value of one spec. */
export function record<V extends AnyTyped>(
  values: V,
  opts: Omit<Options<RecordSpec>, 'values'> = {},
): Typed<RecordSpec, Readonly<Record<string, Infer<V>>>> {
  return { kind: 'record', values, ...opts };
}

/** The first option whose JSON type matches the value decides. */
export function oneOf<const O extends readonly AnyTyped[]>(options: O, opts: Omit<Options<OneOfSpec>, 'options'> = {}): Typed<OneOfSpec, Infer<O[number]>> {
  return { kind: 'oneOf', options, ...opts };
}

/** Any JSON value, handed on as it is (a library's own options). */
export function json(opts: Omit<Options<JsonSpec>, never> = {}): Typed<JsonSpec, unknown> {
  return { kind: 'json', ...opts };
}

/** null is accepted too (ft-edge's "automatic", or "the strategy's"). */
export function nullable<S extends AnyTyped>(spec: S): S & { readonly nullable: true } {
  return { ...spec, nullable: true as const };
}

/** May be left out; absent stays absent (no default, no problem). */
export function optional<S extends AnyTyped>(spec: S): S & { readonly optional: true } {
  return { ...spec, optional: true as const };
}

/** Used when absent (array items and other places default.json cannot reach). */
export function withDefault<S extends AnyTyped>(spec: S, value: Infer<S>): S {
  return { ...spec, default: value };
}

/** An extra rule after the type check: the problem phrase, or undefined when the value is fine. */
export function checked<S extends AnyTyped>(spec: S, check: (value: Infer<S>) => string | undefined): S {
  return { ...spec, check: check as (v: never) => string | undefined };
}

/**
 * Validates `value` against a typed spec: the value with defaults filled in, of the spec's type as long as no
 * problem was pushed. This is the one place a validated value gets its static type.
 */
export function validated<S extends AnyTyped>(spec: S, value: unknown, problems: Problem[], root: Spec = spec, path: Path = []): Infer<S> {
  return validate(spec, value, problems, root, path) as Infer<S>;
}

/**
 * The JSON Schema (draft-07) of a spec, for editors checking a configuration file as they do freqtrade's. Rules
 * only code can say (`check`) are left to ft-edge itself. Fields are required only inside list items: every file
 * is merged key by key over the shipped defaults, but a list item is taken whole.
 */
export function toJsonSchema(spec: Spec, required = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (spec.description !== undefined) out['description'] = spec.description;
  if (spec.default !== undefined) out['default'] = spec.default;
  const typed = (type: string): void => void (out['type'] = spec.nullable === true ? [type, 'null'] : type);
  switch (spec.kind) {
    case 'boolean':
      typed('boolean');
      break;
    case 'number':
      typed(spec.integer === true ? 'integer' : 'number');
      if (spec.min !== undefined) out[spec.aboveMin === true ? 'exclusiveMinimum' : 'minimum'] = spec.min;
      if (spec.max !== undefined) out[spec.belowMax === true ? 'exclusiveMaximum' : 'maximum'] = spec.max;
      break;
    case 'string':
      typed('string');
      if (spec.enum !== undefined) out['enum'] = spec.nullable === true ? [...spec.enum, null] : [...spec.enum];
      break;
    case 'object': {
      typed('object');
      out['properties'] = Object.fromEntries(Object.entries(spec.fields).map(([k, f]) => [k, toJsonSchema(f)]));
      out['additionalProperties'] = false;
      const must = required ? Object.entries(spec.fields).filter(([, f]) => f.optional !== true && f.default === undefined).map(([k]) => k) : [];
      if (must.length > 0) out['required'] = must;
      break;
    }
    case 'array':
      typed('array');
      out['items'] = toJsonSchema(spec.items, true);
      break;
    case 'record':
      typed('object');
      out['additionalProperties'] = toJsonSchema(spec.values);
      break;
    case 'oneOf':
      out['anyOf'] = [...spec.options.map((o) => toJsonSchema(o)), ...(spec.nullable === true ? [{ type: 'null' }] : [])];
      break;
    case 'json':
      break; // anything
  }
  return out;
}
