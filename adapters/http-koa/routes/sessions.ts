import { sdkError, type Session } from '../../../core/index.js';
import { ProblemSchema } from '../problem.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { NoQuery } from '../route-table.js';
import { SessionDetail, SessionDetailQuery, SessionIdParams, SessionMessages, SessionPage, SessionResource, SessionsQuery } from '../schemas.js';
import { authorize, runResource, scopeOf, withCursor, type ServerServices } from '../services.js';
import type { Static } from 'typebox';

const problem = (description: string) => ({ description, schema: ProblemSchema, contentType: 'application/problem+json' });

/** GET /sessions, GET /sessions/{id}, GET /sessions/{id}/messages. */
export function sessionRoutes(services: ServerServices): AnyRoute[] {
  const { storage } = services;

  const listSessions = defineRoute({
    method: 'GET',
    path: '/sessions',
    operationId: 'listSessions',
    summary: 'List sessions',
    description: 'Newest first (by last activity). Pages are keyset-based: pass `nextCursor` as `cursor` for the next page; it is absent on the last one.',
    tags: ['sessions'],
    query: SessionsQuery,
    responses: { 200: { description: 'A page of sessions', schema: SessionPage } },
    async handle({ query, principal }) {
      await authorize(services, principal, 'session.read');
      const page = await withCursor('cursor', () => storage.sessions.list(scopeOf(principal), { limit: query.limit, ...(query.cursor && { cursor: query.cursor }) }));
      return { body: { items: page.items.map(sessionResource), ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }) } };
    },
  });

  const getSession = defineRoute({
    method: 'GET',
    path: '/sessions/{id}',
    operationId: 'getSession',
    summary: 'Get a session with its runs',
    description: 'The session and a page of its runs, oldest first (`runsLimit`, `runsCursor`).',
    tags: ['sessions'],
    params: SessionIdParams,
    query: SessionDetailQuery,
    responses: { 200: { description: 'The session', schema: SessionDetail }, 404: problem('No such session in this org') },
    async handle({ params, query, principal }) {
      await authorize(services, principal, 'session.read', params.id);
      const scope = scopeOf(principal);
      const session = await storage.sessions.get(scope, params.id);
      if (!session) throw sdkError('ASDK_SESSION_NOT_FOUND', { sessionId: params.id, orgId: principal.orgId });
      const runs = await withCursor('runsCursor', () =>
        storage.runs.listBySession(scope, params.id, { limit: query.runsLimit, ...(query.runsCursor && { cursor: query.runsCursor }) }),
      );
      return {
        body: {
          session: sessionResource(session),
          runs: { items: runs.items.map(runResource), ...(runs.nextCursor !== undefined && { nextCursor: runs.nextCursor }) },
        },
      };
    },
  });

  const sessionMessages = defineRoute({
    method: 'GET',
    path: '/sessions/{id}/messages',
    operationId: 'getSessionMessages',
    summary: 'Get a session\'s messages',
    description: 'The session\'s memory in order: user, assistant (with tool calls) and tool messages, as the next run will see them.',
    tags: ['sessions'],
    params: SessionIdParams,
    query: NoQuery,
    responses: { 200: { description: 'The messages', schema: SessionMessages }, 404: problem('No such session in this org') },
    async handle({ params, principal }) {
      await authorize(services, principal, 'session.read', params.id);
      const scope = scopeOf(principal);
      if (!(await storage.sessions.get(scope, params.id))) throw sdkError('ASDK_SESSION_NOT_FOUND', { sessionId: params.id, orgId: principal.orgId });
      const messages = await storage.messages.list(scope, params.id);
      const items: Static<typeof SessionMessages>['items'] = messages.map((m) => ({
        position: m.position,
        ...(m.runId !== undefined && { runId: m.runId }),
        message: m.message as unknown as { role: string; content: string },
        createdAt: m.createdAt,
      }));
      return { body: { items } };
    },
  });

  return [listSessions, getSession, sessionMessages];
}

function sessionResource(session: Session): Static<typeof SessionResource> {
  return {
    id: session.id,
    orgId: session.orgId,
    ...(session.title !== undefined && { title: session.title }),
    ...(session.preset !== undefined && { preset: session.preset }),
    ...(session.metadata !== undefined && { metadata: { ...session.metadata } }),
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
  };
}
