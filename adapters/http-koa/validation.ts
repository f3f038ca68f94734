import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { describeSchema, problem, sdkError, type Problem } from '../../core/index.js';

type Validator = ReturnType<typeof Compile>;

/** Where an input comes from; the first segment of every error path. */
export type InputLocation = 'body' | 'query' | 'params' | 'header' | 'frame';

/** Errors reported per request at most; enough to fix a body, short enough to read. */
const MAX_ERRORS = 20;

/**
 * A compiled TypeBox schema for one part of a request. Query and path values arrive as strings and are
 * converted first (`"20"` → 20 where the schema wants an integer); every part gets the schema's defaults.
 * Invalid input throws ASDK_HTTP_VALIDATION (400) with one problem per failing input, each with its path.
 *
 * @example
 * ```ts
 * const query = new InputValidator(Type.Object({ limit: Type.Integer() }), 'query');
 * const { limit } = query.parse({ limit: '20' });
 * ```
 */
export class InputValidator<S extends TSchema = TSchema> {
  readonly #schema: S;
  readonly #validator: Validator;
  readonly #location: InputLocation;
  readonly #convert: boolean;

  constructor(schema: S, location: InputLocation, options: { convert?: boolean } = {}) {
    this.#schema = schema;
    this.#validator = Compile(schema);
    this.#location = location;
    this.#convert = options.convert ?? (location === 'query' || location === 'params');
  }

  get schema(): S {
    return this.#schema;
  }

  /** Whether a (converted, defaulted) value matches, without throwing. */
  check(value: unknown): boolean {
    return this.#validator.Check(value);
  }

  parse(value: unknown): Static<S> {
    const result = this.tryParse(value);
    if ('problems' in result) throw validationError(result.problems);
    return result.value;
  }

  /** Like parse, returning the problems instead of throwing (to report several inputs at once). */
  tryParse(value: unknown): { value: Static<S> } | { problems: Problem[] } {
    let candidate = value;
    if (this.#convert) candidate = this.#validator.Convert(candidate);
    candidate = this.#validator.Default(candidate);
    if (this.#validator.Check(candidate)) return { value: candidate as Static<S> };
    return { problems: this.problems(candidate) };
  }

  /** The problems of a value that does not match, each with a readable path and message. */
  problems(value: unknown): Problem[] {
    return describeInputErrors(this.#validator, this.#schema, value, this.#location);
  }
}

/** ASDK_HTTP_VALIDATION carrying `problems` (the first few summarised in the message). */
export function validationError(problems: readonly Problem[]): ReturnType<typeof sdkError> {
  const summary = problems
    .slice(0, 3)
    .map((p) => `${p.path}: ${p.message}`)
    .join('; ');
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
  return sdkError('ASDK_HTTP_VALIDATION', { summary: `${summary}${more}` }, { problems });
}

/** One input problem at `path`, for checks a schema cannot express. */
export function inputProblem(path: string, message: string): Problem {
  return { ...problem('ASDK_HTTP_VALIDATION', { summary: `${path}: ${message}` }, { path }), message };
}

function describeInputErrors(validator: Validator, schema: TSchema, value: unknown, location: InputLocation): Problem[] {
  const errors = [...validator.Errors(value)];
  // An anyOf failure is reported once, as "must be <alternatives>", not once per alternative.
  const unions = errors.filter((e) => e.keyword === 'anyOf').map((e) => `${e.schemaPath}/anyOf/`);
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const add = (pointer: string, message: string) => {
    const path = pathOf(location, pointer);
    const key = `${path}\u0000${message}`;
    if (seen.has(key) || problems.length >= MAX_ERRORS) return;
    seen.add(key);
    problems.push(inputProblem(path, message));
  };
  for (const error of errors) {
    if (unions.some((prefix) => error.schemaPath.startsWith(prefix))) continue;
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'required':
        for (const name of (params.requiredProperties as string[] | undefined) ?? []) add(`${error.instancePath}/${escapePointer(name)}`, 'is required');
        break;
      case 'boolean':
        if (error.schemaPath.endsWith('/additionalProperties')) add(error.instancePath, location === 'body' ? 'is not a known field' : 'is not a known parameter');
        else add(error.instancePath, 'is not allowed');
        break;
      case 'additionalProperties':
        for (const name of (params.additionalProperties as string[] | undefined) ?? []) {
          add(`${error.instancePath}/${escapePointer(name)}`, location === 'body' ? 'is not a known field' : 'is not a known parameter');
        }
        break;
      case 'anyOf':
        add(error.instancePath, `must be ${describeSchema(schemaAt(schema, error.schemaPath))}`);
        break;
      default:
        add(error.instancePath, error.message);
    }
  }
  if (!problems.length) add('', 'does not match the schema');
  return problems;
}

/** `body` + `/agent/tools/0` → `body.agent.tools[0]`. */
export function pathOf(location: InputLocation, pointer: string): string {
  let path: string = location;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) path += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) path += `.${part}`;
    else path += `[${JSON.stringify(part)}]`;
  }
  return path;
}

function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

function schemaAt(schema: TSchema, schemaPath: string): TSchema | undefined {
  let current: unknown = schema;
  for (const raw of schemaPath.replace(/^#/, '').split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    current = (current as Record<string, unknown> | undefined)?.[part];
  }
  return current as TSchema | undefined;
}
