import type { Static, TSchema } from 'typebox';
import type { Logger } from './logger.js';

/** What a tool receives besides its arguments. */
export interface ToolContext {
  readonly orgId: string;
  readonly runId: string;
  readonly sessionId: string;
  readonly callId: string;
  /** Aborts when the run is cancelled or the tool's timeout elapses: stop work and reject. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/**
 * A versioned tool with strict schemas. Names are dotted (`filesystem.read`), versions semver.
 * Arguments are validated against `input` before `execute` runs and results against `output` after.
 * A tool reports a failure the model should see by throwing a {@link ToolFailure} (or any error).
 *
 * @example
 * ```ts
 * export const echo = defineTool({
 *   name: 'demo.echo', version: '1.0.0', description: 'Echoes its text',
 *   input: Type.Object({ text: Type.String() }), output: Type.Object({ text: Type.String() }),
 *   async execute({ text }) { return { text }; },
 * });
 * ```
 */
export interface ToolDefinition<I extends TSchema = TSchema, O extends TSchema = TSchema> {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly input: I;
  readonly output: O;
  /** Milliseconds before the call is aborted with ASDK_TOOL_TIMEOUT. Default 30 000. */
  readonly timeoutMs?: number;
  /** What the tool may do, for policies and the console: `fs.read`, `fs.write`, `network`, `delegate`, ... */
  readonly capabilities?: readonly string[];
  execute(args: Static<I>, context: ToolContext): Promise<Static<O>>;
}

/** Defines a tool; the identity function that gives `execute` its argument and result types. */
export function defineTool<I extends TSchema, O extends TSchema>(definition: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return definition;
}

/**
 * A failure a tool reports on purpose, with a code and a message meant for the model (and the user).
 * It becomes a `tool.error` event; the run goes on and the model can correct itself.
 */
export class ToolFailure extends Error {
  override readonly name = 'ToolFailure';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A tool as the registry lists it (no code). */
export interface ToolInfo {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly input: TSchema;
  readonly output: TSchema;
  readonly timeoutMs: number;
  readonly capabilities: readonly string[];
}

export type ToolOutcome =
  | { readonly ok: true; readonly result: unknown; readonly durationMs: number }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly durationMs: number };

/** The tool port: the registry of every contributed tool. */
export interface ToolPort {
  list(): readonly ToolInfo[];
  get(name: string): ToolInfo | undefined;
  /**
   * Validates `args`, runs the tool under its timeout and the context's signal, validates the result.
   * Never throws: every failure is an outcome with a code (ASDK_TOOL_NOT_FOUND, ASDK_TOOL_INVALID_ARGS,
   * ASDK_TOOL_TIMEOUT, ASDK_TOOL_FAILED, ASDK_TOOL_INVALID_OUTPUT, or the ToolFailure's own code).
   */
  invoke(name: string, args: unknown, context: ToolContext): Promise<ToolOutcome>;
}
