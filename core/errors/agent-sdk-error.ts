import { errorCodes, type ErrorCode } from './registry.js';

/** One concrete thing that is wrong, e.g. a config key or a missing port. */
export interface Problem {
  readonly code: ErrorCode;
  readonly message: string;
  /** Where: a config path (`server.port`), a request path (`body.input`), ... */
  readonly path?: string;
  /** Which plugin the problem belongs to, when there is one. */
  readonly plugin?: string;
  readonly expected?: string;
  readonly found?: string;
  readonly hint?: string;
}

export interface AgentSdkErrorOptions {
  cause?: unknown;
  problems?: readonly Problem[];
  /** Overrides the registry hint with a more specific one. */
  hint?: string;
}

/**
 * The one error type the product raises. `code` is stable (documented in docs/errors.md),
 * `message` says what happened and names the actor, `hint` says how to fix it.
 *
 * @example
 * ```ts
 * throw sdkError('ASDK_TOOL_NOT_FOUND', { tool: 'calc.add' });
 * ```
 */
export class AgentSdkError extends Error {
  override readonly name = 'AgentSdkError';
  readonly code: ErrorCode;
  readonly hint: string;
  /** HTTP status a transport should answer with. */
  readonly status: number;
  readonly params: Readonly<Record<string, unknown>>;
  readonly problems: readonly Problem[];

  constructor(code: ErrorCode, params: Record<string, unknown> = {}, options: AgentSdkErrorOptions = {}) {
    const spec = errorCodes[code];
    super(formatTemplate(spec.message, params), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = spec.status;
    this.params = params;
    this.problems = options.problems ?? [];
    this.hint = options.hint ?? formatTemplate(spec.hint, params);
  }

  /** A readable multi-line report: the message, each problem, and the hint. */
  describe(): string {
    const lines = [`${this.code}: ${this.message}`];
    for (const p of this.problems) lines.push(`  - ${formatProblem(p)}`);
    if (this.hint) lines.push(`  hint: ${this.hint}`);
    return lines.join('\n');
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint, problems: this.problems };
  }
}

/** Creates an {@link AgentSdkError} from a registered code and its template parameters. */
export function sdkError(code: ErrorCode, params: Record<string, unknown> = {}, options?: AgentSdkErrorOptions): AgentSdkError {
  return new AgentSdkError(code, params, options);
}

/** Creates a {@link Problem} whose message comes from the code's template. */
export function problem(
  code: ErrorCode,
  params: Record<string, unknown>,
  where: Omit<Problem, 'code' | 'message'> = {},
): Problem {
  const spec = errorCodes[code];
  return { code, message: formatTemplate(spec.message, params), ...where, hint: where.hint ?? formatTemplate(spec.hint, params) };
}

export function isAgentSdkError(value: unknown): value is AgentSdkError {
  return value instanceof AgentSdkError;
}

export function formatProblem(p: Problem): string {
  const where = [p.plugin && `plugin "${p.plugin}"`, p.path && `at ${p.path}`].filter(Boolean).join(' ');
  const detail = [p.expected && `expected ${p.expected}`, p.found && `found ${p.found}`].filter(Boolean).join(', ');
  return `${p.code}${where ? ` (${where})` : ''}: ${p.message}${detail ? ` (${detail})` : ''}${p.hint ? ` — ${p.hint}` : ''}`;
}

/** Replaces `{name}` with params.name; unknown names stay visible so a bad template is noticed. */
export function formatTemplate(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = params[key];
    if (value === undefined) return whole;
    return typeof value === 'string' ? value : Array.isArray(value) ? value.join(', ') : String(value);
  });
}
