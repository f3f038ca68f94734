import { Type } from 'typebox';
import { parseIdempotencyKey } from '../idempotency.js';
import { asAgentSdkError, ProblemSchema } from '../problem.js';
import { requestState } from '../request-state.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { NoQuery } from '../route-table.js';
import { CancelBody, EventsQuery, RunAccepted, RunIdParams, RunResource, StartRunBody } from '../schemas.js';
import { cancelRun, getRun, startRun, streamStart } from '../run-operations.js';
import { scopeOf, type ServerServices } from '../services.js';
import { inputProblem, validationError } from '../validation.js';

const LAST_EVENT_ID = /^\d{1,16}$/;

const problem = (description: string) => ({ description, schema: ProblemSchema, contentType: 'application/problem+json' });

/** POST /run, GET /run/{id}, GET /run/{id}/events, POST /run/{id}/cancel. */
export function runRoutes(services: ServerServices): AnyRoute[] {
  const { hub, sse } = services;

  const startRunRoute = defineRoute({
    method: 'POST',
    path: '/run',
    operationId: 'startRun',
    summary: 'Start a run',
    description:
      'Starts a run of a preset (or of an inline agent) on `input`, in a new session or the one named. Answers at once with ' +
      'the run id; follow it with `GET /run/{id}/events`. With an `Idempotency-Key` header, a retry of the same request ' +
      'within 24 h gets the same run and the same answer (`Idempotent-Replayed: true`); the same key with another body is a 422; ' +
      'a retry while the first is still being processed waits for its answer, then gets 409.',
    tags: ['runs'],
    query: NoQuery,
    body: { schema: StartRunBody },
    responses: {
      202: {
        description: 'The run was started',
        schema: RunAccepted,
        headers: { Location: { description: 'The run' }, 'Idempotent-Replayed': { description: '`true` on a replayed answer' } },
      },
      404: problem('The preset does not exist (ASDK_PRESET_NOT_FOUND)'),
      409: problem('The first request with this Idempotency-Key is still being processed'),
      422: problem('The Idempotency-Key was used with a different request'),
      403: problem('A policy refused the run'),
    },
    async handle({ body, principal, ctx }) {
      const key = parseIdempotencyKey(ctx.req.headers['idempotency-key']);
      const started = await startRun(services, principal, body, key);
      return {
        status: started.status,
        body: started.body,
        headers: { Location: started.body.links.self, ...(started.replayed && { 'Idempotent-Replayed': 'true' }) },
      };
    },
  });

  const getRunRoute = defineRoute({
    method: 'GET',
    path: '/run/{id}',
    operationId: 'getRun',
    summary: 'Get a run',
    description: 'The run\'s status, input, output, usage and error as stored.',
    tags: ['runs'],
    params: RunIdParams,
    query: NoQuery,
    responses: { 200: { description: 'The run', schema: RunResource }, 404: problem('No such run in this org') },
    async handle({ params, principal }) {
      return { body: await getRun(services, principal, params.id) };
    },
  });

  const cancelRunRoute = defineRoute({
    method: 'POST',
    path: '/run/{id}/cancel',
    operationId: 'cancelRun',
    summary: 'Cancel a run',
    description:
      'Cancels the run if it is still going (it ends with `run.cancelled`) and answers with the run once it has ended (200), ' +
      'or with its current state if it takes longer than 5 s (202). Cancelling a finished run changes nothing (200).',
    tags: ['runs'],
    params: RunIdParams,
    query: NoQuery,
    body: { schema: CancelBody, required: false, description: 'Optional: { "reason": "..." }' },
    responses: {
      200: { description: 'The run has ended', schema: RunResource },
      202: { description: 'Cancellation requested; the run has not recorded its end yet', schema: RunResource },
      404: problem('No such run in this org'),
      409: problem('The run is executed by another process (ASDK_RUN_NOT_LOCAL)'),
    },
    async handle({ params, principal, body }) {
      const { ended, run } = await cancelRun(services, principal, params.id, body?.reason ?? `cancelled over HTTP by ${principal.actor}`);
      return { status: ended ? 200 : 202, body: run };
    },
  });

  const runEvents = defineRoute({
    method: 'GET',
    path: '/run/{id}/events',
    operationId: 'streamRunEvents',
    summary: 'Stream a run\'s events (SSE)',
    description:
      'Server-sent events: `id:` is the seq, `event:` the type, `data:` the envelope (EventEnvelopeV1). Replays from the event ' +
      'log after `Last-Event-ID` (or `?after=`), then continues live with no gap and no duplicate, and ends after the terminal ' +
      'event. A comment line is sent at least every 15 s. A client too slow to keep up gets a final `stream.overflow` event and ' +
      'resumes with Last-Event-ID; at shutdown, `stream.shutdown`. Disconnecting never cancels the run. A request for a finished ' +
      'run whose last event the client already has gets 204, which stops EventSource from reconnecting.',
    tags: ['runs'],
    params: RunIdParams,
    query: EventsQuery,
    responses: {
      200: {
        description: 'The event stream',
        schema: Type.String({ description: 'text/event-stream; each event\'s data is an EventEnvelopeV1' }),
        contentType: 'text/event-stream',
      },
      204: { description: 'The run has ended and the client has its last event' },
      400: problem('Last-Event-ID or after is malformed or beyond the run\'s last event'),
      404: problem('No such run in this org'),
      503: problem('Too many streams (server.sse.maxSubscribers), or shutting down'),
    },
    async handle({ params, query, principal, ctx }) {
      const lastEventId = ctx.get('last-event-id');
      const after = afterSeq(lastEventId, query.after);
      const { handle, complete } = await streamStart(services, principal, params.id, after, lastEventId ? 'Last-Event-ID' : 'after');
      if (complete) return { status: 204 };
      hub.checkCapacity();
      if (ctx.method === 'HEAD') return { status: 200, body: '', contentType: 'text/event-stream' };
      requestState(ctx).streaming = true;
      const sink = sse.open(ctx, params.id);
      try {
        sink.subscription = hub.subscribe(scopeOf(principal), handle, after, sink);
      } catch (error) {
        sink.end({ kind: 'failed', error: asAgentSdkError(error, { method: 'GET', path: ctx.path }) });
      }
    },
  });

  return [startRunRoute, getRunRoute, runEvents, cancelRunRoute];
}

/** Last-Event-ID (what EventSource sends on reconnect) wins over `?after=`. */
function afterSeq(lastEventId: string, after: number | undefined): number {
  if (lastEventId !== '') {
    const trimmed = lastEventId.trim();
    if (!LAST_EVENT_ID.test(trimmed) || Number(trimmed) > Number.MAX_SAFE_INTEGER) {
      throw validationError([inputProblem('header.last-event-id', 'must be the seq of an event (a non-negative integer)')]);
    }
    return Number(trimmed);
  }
  return after ?? 0;
}
