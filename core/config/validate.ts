import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { problem, type Problem } from '../errors/agent-sdk-error.js';
import { cutAtCodePoint } from '../util/code-points.js';
import { didYouMean } from '../util/suggest.js';

type Validator = ReturnType<typeof Compile>;
const validators = new WeakMap<object, Validator>();

function validatorFor(schema: TSchema): Validator {
  let validator = validators.get(schema);
  if (!validator) {
    validator = Compile(schema);
    validators.set(schema, validator);
  }
  return validator;
}

/** Dotted path for people: `server.apiKeys[0]`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

/**
 * Applies defaults and checks `value` against `schema`, reporting every problem: unknown keys (with a
 * suggestion), missing keys, wrong types and bad values, each with its path, what was expected and what was
 * found. Object schemas are walked key by key so that one problem never hides another.
 */
export function validateValue(
  schema: TSchema,
  value: unknown,
  path: string,
  where: { plugin?: string; coercible?: ReadonlySet<string> } = {},
): { value: unknown; problems: Problem[] } {
  const withDefaults = Value.Default(schema, structuredClone(value));
  const problems: Problem[] = [];
  collect(schema, withDefaults, path, problems, where.plugin, where.coercible);
  return { value: withDefaults, problems };
}

function collect(
  schema: TSchema,
  value: unknown,
  path: string,
  problems: Problem[],
  plugin: string | undefined,
  coercible: ReadonlySet<string> = new Set(),
): void {
  const s = schema as Record<string, any>;
  if (s.type === 'object' && s.properties && isPlainObject(value)) {
    const properties = s.properties as Record<string, TSchema>;
    for (const key of (s.required as string[] | undefined) ?? []) {
      if (value[key] === undefined) problems.push(problem('ASDK_CONFIG_REQUIRED', { key }, { path: joinPath(path, key), plugin, expected: describeSchema(properties[key]) }));
    }
    for (const [key, original] of Object.entries(value)) {
      const childPath = joinPath(path, key);
      const child = coercible.has(childPath) ? coerceScalar(properties[key], original) : original;
      if (child !== original) value[key] = child;
      if (key in properties) {
        if (child !== undefined) collect(properties[key], child, childPath, problems, plugin, coercible);
      } else if (s.additionalProperties === false) {
        problems.push(problem('ASDK_CONFIG_UNKNOWN_KEY', { key, suggestion: didYouMean(key, Object.keys(properties)) }, { path: childPath, plugin }));
      } else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        collect(s.additionalProperties, child, childPath, problems, plugin, coercible);
      }
    }
    return;
  }
  if (validatorFor(schema).Check(value)) return;
  problems.push(describeMismatch(schema, value, path, plugin));
}

/** A string that came whole from `${env:...}` or `${file:...}` becomes a number or boolean where the schema wants one. */
function coerceScalar(schema: TSchema | undefined, value: unknown): unknown {
  const type = (schema as { type?: unknown } | undefined)?.type;
  if (typeof value !== 'string') return value;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function describeMismatch(schema: TSchema, value: unknown, path: string, plugin: string | undefined): Problem {
  const s = schema as Record<string, any>;
  const found = describeValue(value);
  const typeOk = typeMatches(s, value);
  if (!typeOk) {
    const expected = describeSchema(schema);
    return problem('ASDK_CONFIG_TYPE', { expected, found }, { path, plugin, expected, found });
  }
  // The type is right; a constraint failed. Report the first one, at its exact path.
  const first = validatorFor(schema).Errors(value)[0];
  const at = first ? path + pointerToPath(first.instancePath) : path;
  if (first && first.instancePath && first.keyword === 'type') {
    const inner = valueAtPointer(value, first.instancePath);
    const expected = String((first.params as { type?: string }).type ?? 'another type');
    return problem('ASDK_CONFIG_TYPE', { expected, found: describeValue(inner) }, { path: at, plugin, expected, found: describeValue(inner) });
  }
  const reason = first?.message ?? `must match ${describeSchema(schema)}`;
  return problem('ASDK_CONFIG_VALUE', { reason }, { path: at, plugin, expected: describeSchema(schema), found });
}

function typeMatches(s: Record<string, any>, value: unknown): boolean {
  if (s.anyOf) return (s.anyOf as Record<string, any>[]).some((branch) => typeMatches(branch, value) && (branch.const === undefined || branch.const === value));
  if (s.const !== undefined) return s.const === value;
  const types: string[] | undefined = s.type === undefined ? undefined : [].concat(s.type);
  if (!types) return true;
  return types.some((t) => jsonType(value) === t || (t === 'number' && jsonType(value) === 'integer'));
}

/** A short description of what a schema accepts: `integer`, `"sqlite" or "postgres"`, `array of string`. */
export function describeSchema(schema: TSchema | undefined): string {
  const s = (schema ?? {}) as Record<string, any>;
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf) return (s.anyOf as TSchema[]).map(describeSchema).join(' or ');
  if (s.enum) return (s.enum as unknown[]).map((v) => JSON.stringify(v)).join(' or ');
  if (s.type === 'array') return `array of ${describeSchema(s.items)}`;
  if (s.type === 'integer' || s.type === 'number') {
    const range = [s.minimum !== undefined && `>= ${s.minimum}`, s.maximum !== undefined && `<= ${s.maximum}`].filter(Boolean).join(' and ');
    return range ? `${s.type} ${range}` : s.type;
  }
  if (Array.isArray(s.type)) return s.type.join(' or ');
  return s.type ?? 'a valid value';
}

/** `"abc" (string)`, `12 (integer)`, `an object`, ... short enough for one line. */
export function describeValue(value: unknown): string {
  const type = jsonType(value);
  if (type === 'object') return 'an object';
  if (type === 'array') return `an array of ${(value as unknown[]).length}`;
  if (type === 'null' || type === 'undefined') return type;
  const text = JSON.stringify(value);
  return `${text.length > 40 ? `${cutAtCodePoint(text, 37)}...` : text} (${type})`;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<string>((acc, part) => joinPath(acc, /^\d+$/.test(part) ? Number(part) : part), '')
    .replace(/^(?=[A-Za-z_$])/, '.');
}

function valueAtPointer(value: unknown, pointer: string): unknown {
  let current = value as any;
  for (const part of pointer.split('/').slice(1)) current = current?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return current;
}
