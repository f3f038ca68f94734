import { STATUS_CODES } from 'node:http';
import { Type, type Static } from 'typebox';
import { isAgentSdkError, sdkError, type AgentSdkError } from '../../core/index.js';

/** One failing input: where (`body.input`, `query.limit`, `params.id`) and what is wrong with it. */
export const ProblemItem = Type.Object({
  path: Type.String({ description: 'Where: body.<field>, query.<name>, params.<name> or header.<name>' }),
  message: Type.String(),
});

/**
 * An error answer (RFC 9457 problem details, `application/problem+json`) with agent-sdk's extension members:
 * a stable `code` (docs/errors.md), the failing `errors[]` and a `hint` saying how to fix it.
 */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'URI of the code\'s documentation (GET /docs#<code>)' }),
    title: Type.String({ description: 'The HTTP status phrase' }),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String({ description: 'What happened, naming what was involved' }),
    code: Type.String({ pattern: '^ASDK_[A-Z0-9_]+$', description: 'Stable error code, listed in docs/errors.md' }),
    hint: Type.String({ description: 'How to fix it' }),
    errors: Type.Array(ProblemItem, { description: 'The failing inputs (empty when the problem is not about one input)' }),
    instance: Type.Optional(Type.String({ description: 'The request path' })),
    requestId: Type.Optional(Type.String({ description: 'Also in the X-Request-Id header and the server log' })),
  },
  { $id: 'Problem', additionalProperties: false },
);
export type ProblemBody = Static<typeof ProblemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An AgentSdkError for an error that is not one (a bug somewhere): a 500 naming the request. */
export function asAgentSdkError(error: unknown, request: { method: string; path: string }): AgentSdkError {
  if (isAgentSdkError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return sdkError('ASDK_SERVER_INTERNAL', { method: request.method, path: request.path, reason }, { cause: error });
}

const SAFE_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * `http://host:port` as the client addressed this server (the Host header, when it is a plain host), for
 * absolute links such as problem `type` URIs; empty when the Host header is missing or odd.
 */
export function requestOrigin(request: { protocol: string; get(field: string): string }): string {
  const host = request.get('host');
  return host && SAFE_HOST.test(host) ? `${request.protocol}://${host}` : '';
}

/** The problem body of an error, for a request at `path` on a server reachable at `origin`. */
export function problemBody(error: AgentSdkError, where: { origin: string; path: string; requestId?: string }): ProblemBody {
  const status = error.status >= 400 && error.status <= 599 ? error.status : 500;
  return {
    type: `${where.origin}/docs#${error.code}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: error.message,
    code: error.code,
    hint: error.hint,
    errors: error.problems.map((p) => ({ path: p.path ?? '', message: p.message })),
    instance: where.path,
    ...(where.requestId !== undefined && { requestId: where.requestId }),
  };
}
