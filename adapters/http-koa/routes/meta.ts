import { Type, type Static } from 'typebox';
import { sdkError } from '../../../core/index.js';
import { ProblemSchema } from '../problem.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { NoQuery } from '../route-table.js';
import { Health, PresetList, ToolList } from '../schemas.js';
import { authorize, type ServerServices } from '../services.js';

/** What /health reports besides storage: filled in by the server. */
export interface HealthSource {
  readonly version: string;
  readonly startedAt: number;
  readonly authRequired: boolean;
  draining(): boolean;
  streams(): Static<typeof Health>['streams'];
}

/** What /openapi.json and /docs serve, made once the route table is complete. */
export interface ApiDocuments {
  json(): string;
  html(): string;
}

const STORAGE_HEALTH_TIMEOUT_MS = 2000;

/** GET /presets and GET /tools. */
export function catalogRoutes(services: ServerServices): AnyRoute[] {
  const presets = defineRoute({
    method: 'GET',
    path: '/presets',
    operationId: 'listPresets',
    summary: 'List presets',
    description: 'The named agents this server offers (`preset` in POST /run).',
    tags: ['catalog'],
    query: NoQuery,
    responses: { 200: { description: 'The presets', schema: PresetList } },
    async handle({ principal }) {
      await authorize(services, principal, 'catalog.read');
      const items: Static<typeof PresetList>['items'] = services.runs.presets().map((p) => ({
        name: p.name,
        description: p.description,
        instructions: p.instructions,
        ...(p.model !== undefined && { model: typeof p.model === 'string' ? p.model : [...p.model] }),
        ...(p.tools !== undefined && { tools: [...p.tools] }),
        ...(p.agents !== undefined && { agents: Object.keys(p.agents) }),
      }));
      return { body: { items } };
    },
  });

  const tools = defineRoute({
    method: 'GET',
    path: '/tools',
    operationId: 'listTools',
    summary: 'List tools',
    description: 'Every registered tool with its version, JSON Schemas, timeout and capabilities.',
    tags: ['catalog'],
    query: NoQuery,
    responses: { 200: { description: 'The tools', schema: ToolList } },
    async handle({ principal }) {
      await authorize(services, principal, 'catalog.read');
      const items = services.tools.list().map((t) => ({
        name: t.name,
        version: t.version,
        description: t.description,
        input: JSON.parse(JSON.stringify(t.input)) as unknown,
        output: JSON.parse(JSON.stringify(t.output)) as unknown,
        timeoutMs: t.timeoutMs,
        capabilities: [...t.capabilities],
      }));
      return { body: { items } };
    },
  });
  return [presets, tools];
}

/** GET /health, GET /openapi.json, GET /docs, GET /ws (without an upgrade), and GET / when nobody else serves it. */
export function metaRoutes(services: ServerServices, health: HealthSource, documents: ApiDocuments, options: { serveRoot: boolean }): AnyRoute[] {
  const healthRoute = defineRoute({
    method: 'GET',
    path: '/health',
    operationId: 'getHealth',
    summary: 'Health',
    description:
      'Public. 200 when the server and its storage are fine, 503 otherwise (or while shutting down). `auth.required` tells a client ' +
      'whether it must send an API key.',
    tags: ['meta'],
    auth: 'public',
    query: NoQuery,
    responses: { 200: { description: 'Healthy', schema: Health }, 503: { description: 'Storage unreachable, or shutting down', schema: Health } },
    async handle() {
      const storage = await storageHealth(services);
      const draining = health.draining();
      const body: Static<typeof Health> = {
        status: draining ? 'draining' : storage.ok ? 'ok' : 'degraded',
        version: health.version,
        uptimeMs: Math.max(0, Math.round(Date.now() - health.startedAt)),
        auth: { required: health.authRequired, schemes: ['Authorization: Bearer <key>', 'X-API-Key: <key>'] },
        storage,
        streams: health.streams(),
        protocols: { events: 1, gateway: 1 },
      };
      return { status: body.status === 'ok' ? 200 : 503, body };
    },
  });

  const openapi = defineRoute({
    method: 'GET',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This API as OpenAPI 3.1',
    tags: ['meta'],
    auth: 'public',
    query: NoQuery,
    responses: { 200: { description: 'The OpenAPI document', schema: Type.Object({ openapi: Type.String() }, { additionalProperties: true }) } },
    handle: () => ({ body: documents.json(), contentType: 'application/json; charset=utf-8' }),
  });

  const docs = defineRoute({
    method: 'GET',
    path: '/docs',
    operationId: 'getDocs',
    summary: 'This API as a readable page',
    tags: ['meta'],
    auth: 'public',
    responses: { 200: { description: 'HTML', schema: Type.String(), contentType: 'text/html' } },
    handle: () => ({
      body: documents.html(),
      contentType: 'text/html; charset=utf-8',
      headers: { 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'", 'Cache-Control': 'no-cache' },
    }),
  });

  const ws = defineRoute({
    method: 'GET',
    path: '/ws',
    operationId: 'gateway',
    summary: 'WebSocket gateway (upgrade only)',
    description: 'Protocol v1 (docs/gateway.md): hello → welcome, req → res, event, ping → pong. A plain GET gets 426.',
    tags: ['meta'],
    auth: 'public',
    responses: { 101: { description: 'Switching to the WebSocket protocol' }, 426: { description: 'Not a WebSocket upgrade', schema: ProblemSchema, contentType: 'application/problem+json' } },
    handle({ ctx }) {
      ctx.set('Upgrade', 'websocket');
      throw sdkError('ASDK_HTTP_UPGRADE_REQUIRED', { path: ctx.path });
    },
  });

  const root = defineRoute({
    method: 'GET',
    path: '/',
    operationId: 'getRoot',
    summary: 'Landing page',
    tags: ['meta'],
    auth: 'public',
    hidden: true,
    responses: { 200: { description: 'HTML', contentType: 'text/html' } },
    handle: () => ({
      body: LANDING,
      contentType: 'text/html; charset=utf-8',
      headers: { 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'" },
    }),
  });

  return [healthRoute, openapi, docs, ws, ...(options.serveRoot ? [root] : [])];
}

async function storageHealth(services: ServerServices): Promise<Static<typeof Health>['storage']> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const report = await Promise.race([
      services.storage.health(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${STORAGE_HEALTH_TIMEOUT_MS} ms`)), STORAGE_HEALTH_TIMEOUT_MS);
      }),
    ]);
    return {
      ok: report.ok,
      adapter: report.adapter,
      ...(report.detail !== undefined && { detail: report.detail }),
      ...(report.pendingMigrations !== undefined && { pendingMigrations: report.pendingMigrations }),
    };
  } catch (error) {
    return { ok: false, adapter: 'unknown', detail: (error as Error)?.message ?? String(error) };
  } finally {
    clearTimeout(timer);
  }
}

const LANDING = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>agent-sdk</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}code{font-size:14px}</style></head>
<body><h1>agent-sdk</h1><p>The server is running.</p><ul>
<li><a href="/docs">API reference</a> (<a href="/openapi.json">OpenAPI 3.1</a>)</li>
<li><a href="/health">Health</a></li>
<li>Start a run: <code>POST /run</code>, follow it: <code>GET /run/{id}/events</code> (SSE), or the WebSocket gateway at <code>/ws</code></li>
</ul></body></html>
`;
