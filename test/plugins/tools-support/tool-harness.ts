import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import { ToolFailure, type Logger, type ToolContext, type ToolDefinition } from '../../../core/index.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/** A tool context as the runtime gives one, for calling tools directly. */
export function toolContext(overrides: Partial<ToolContext> = {}): ToolContext {
  return { orgId: 'acme', runId: 'run-1', sessionId: 'session-1', callId: 'call-1', signal: new AbortController().signal, logger: silent, ...overrides };
}

const compiled = new WeakMap<TSchema, ReturnType<typeof Compile>>();
function validator(schema: TSchema) {
  let v = compiled.get(schema);
  if (!v) compiled.set(schema, (v = Compile(schema)));
  return v;
}

/** Whether `value` satisfies the schema (strictly: unknown keys fail where the schema says so). */
export function accepts(schema: TSchema, value: unknown): boolean {
  return validator(schema).Check(value);
}

/**
 * Calls a tool the way the registry does: arguments checked against `input` first, the result against
 * `output` after. Throws when either check fails, so a test cannot pass on a result the registry would refuse.
 */
export async function callTool(tool: ToolDefinition<any, any>, args: unknown, context: ToolContext = toolContext()): Promise<any> {
  if (!accepts(tool.input, args)) {
    const first = validator(tool.input).Errors(args)[0];
    throw new Error(`arguments refused by ${tool.name}'s input schema: ${first?.instancePath} ${first?.message}`);
  }
  const result = await tool.execute(args, context);
  if (!accepts(tool.output, result)) {
    const first = validator(tool.output).Errors(result)[0];
    throw new Error(`result of ${tool.name} refused by its output schema: ${first?.instancePath} ${first?.message} in ${JSON.stringify(result).slice(0, 300)}`);
  }
  return result;
}

/** The ToolFailure a call rejects with; fails the test when it resolves or throws something else. */
export async function toolFailure(promise: Promise<unknown>): Promise<ToolFailure> {
  let result: unknown;
  try {
    result = await promise;
  } catch (error) {
    if (error instanceof ToolFailure) return error;
    throw new Error(`expected a ToolFailure, got ${(error as Error)?.stack ?? String(error)}`);
  }
  throw new Error(`expected a ToolFailure, but the call resolved with ${JSON.stringify(result)?.slice(0, 300)}`);
}

/** Asserts every tool's schemas are closed objects and its metadata is well-formed. */
export function assertWellFormed(tool: ToolDefinition<any, any>): void {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9]*(\.[a-z][a-zA-Z0-9]*)*$/.test(tool.name)) problems.push(`name ${tool.name}`);
  if (!/^\d+\.\d+\.\d+$/.test(tool.version)) problems.push(`version ${tool.version}`);
  if (tool.description.length < 40) problems.push('description too short for a model');
  for (const [which, schema] of [['input', tool.input], ['output', tool.output]] as const) {
    const s = schema as Record<string, unknown>;
    if (s.type !== 'object' || s.additionalProperties !== false) problems.push(`${which} is not a closed object`);
  }
  if (!(typeof tool.timeoutMs === 'number' && tool.timeoutMs > 0)) problems.push('no timeout');
  if (!tool.capabilities?.length) problems.push('no capabilities');
  if (problems.length) throw new Error(`${tool.name}: ${problems.join('; ')}`);
}
