import { Type, type Static } from 'typebox';
import { AgentDefinitionSchema, RunLimitsSchema, Usage } from '../../core/index.js';

/**
 * The HTTP API's shapes, as TypeBox: the routes validate with them and /openapi.json is generated from
 * them. Schemas with an `$id` become named components of the OpenAPI document.
 */

const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$';

export const RunId = Type.String({ pattern: ID_PATTERN, description: 'A run id (`run_…`)' });
export const SessionId = Type.String({ pattern: ID_PATTERN, description: 'A session id (`ses_…`, or one you chose)' });
export const Timestamp = Type.String({ format: 'date-time' });
/** Opaque page cursors as the storage returns them (base64url). */
export const Cursor = Type.String({ minLength: 1, maxLength: 1024, pattern: '^[A-Za-z0-9_-]+={0,2}$', description: 'The nextCursor of the previous page, unchanged' });
export const PageLimit = Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Items per page' });

export const RunIdParams = Type.Object({ id: RunId }, { additionalProperties: false });
export const SessionIdParams = Type.Object({ id: SessionId }, { additionalProperties: false });

export const StartRunBody = Type.Object(
  {
    input: Type.String({ minLength: 1, maxLength: 1_000_000, description: 'The user\'s message (runtime.maxInputChars applies)' }),
    preset: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_-]{0,63}$', description: 'A preset name from GET /presets; or give agent' })),
    agent: Type.Optional(AgentDefinitionSchema),
    sessionId: Type.Optional(SessionId),
    limits: Type.Optional(RunLimitsSchema),
  },
  { $id: 'StartRunRequest', additionalProperties: false, description: 'Exactly one of preset and agent' },
);
export type StartRunBody = Static<typeof StartRunBody>;

const RunLinks = Type.Object(
  {
    self: Type.String({ description: 'GET: the run' }),
    events: Type.String({ description: 'GET: its events as SSE' }),
    cancel: Type.String({ description: 'POST: cancel it' }),
  },
  { additionalProperties: false },
);

export const RunAccepted = Type.Object(
  {
    runId: RunId,
    sessionId: SessionId,
    orgId: Type.String(),
    links: RunLinks,
  },
  { $id: 'RunAccepted', additionalProperties: false },
);
export type RunAccepted = Static<typeof RunAccepted>;

export const RunStatus = Type.Union(
  [Type.Literal('queued'), Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed'), Type.Literal('cancelled')],
  { $id: 'RunStatus' },
);

export const RunResource = Type.Object(
  {
    id: RunId,
    orgId: Type.String(),
    sessionId: SessionId,
    parentRunId: Type.Optional(RunId),
    preset: Type.Optional(Type.String()),
    agent: Type.Optional(Type.String()),
    status: RunStatus,
    input: Type.String(),
    output: Type.Optional(Type.String()),
    usage: Type.Optional(Usage),
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
    createdAt: Timestamp,
    startedAt: Type.Optional(Timestamp),
    finishedAt: Type.Optional(Timestamp),
    links: RunLinks,
  },
  { $id: 'Run', additionalProperties: false },
);
export type RunResource = Static<typeof RunResource>;

export const EventsQuery = Type.Object(
  {
    after: Type.Optional(
      Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Replay events with seq > after (Last-Event-ID wins when both are sent)' }),
    ),
  },
  { additionalProperties: false },
);

export const CancelBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Recorded in run.cancelled' })) },
  { additionalProperties: false },
);

export const SessionResource = Type.Object(
  {
    id: SessionId,
    orgId: Type.String(),
    title: Type.Optional(Type.String()),
    preset: Type.Optional(Type.String()),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Session', additionalProperties: false },
);

export const SessionsQuery = Type.Object({ limit: Type.Optional(PageLimit), cursor: Type.Optional(Cursor) }, { additionalProperties: false });

export const SessionPage = Type.Object(
  { items: Type.Array(SessionResource), nextCursor: Type.Optional(Type.String({ description: 'Absent on the last page' })) },
  { $id: 'SessionPage', additionalProperties: false },
);

export const SessionDetailQuery = Type.Object(
  { runsLimit: Type.Optional(PageLimit), runsCursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

export const SessionDetail = Type.Object(
  {
    session: SessionResource,
    runs: Type.Object(
      { items: Type.Array(RunResource, { description: 'Oldest first' }), nextCursor: Type.Optional(Type.String()) },
      { additionalProperties: false },
    ),
  },
  { $id: 'SessionDetail', additionalProperties: false },
);

export const SessionMessages = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          position: Type.Integer({ minimum: 1 }),
          runId: Type.Optional(RunId),
          message: Type.Object({ role: Type.String(), content: Type.String() }, { additionalProperties: true, description: 'A chat message (system, user, assistant with toolCalls, tool)' }),
          createdAt: Timestamp,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'SessionMessages', additionalProperties: false },
);

export const PresetList = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          description: Type.String(),
          instructions: Type.String(),
          model: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
          tools: Type.Optional(Type.Array(Type.String())),
          agents: Type.Optional(Type.Array(Type.String(), { description: 'Names of its sub-agents' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'PresetList', additionalProperties: false },
);

export const ToolList = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          version: Type.String(),
          description: Type.String(),
          input: Type.Unknown({ description: 'JSON Schema of the arguments' }),
          output: Type.Unknown({ description: 'JSON Schema of the result' }),
          timeoutMs: Type.Integer({ minimum: 0 }),
          capabilities: Type.Array(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'ToolList', additionalProperties: false },
);

export const Health = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('draining')]),
    version: Type.String(),
    uptimeMs: Type.Integer({ minimum: 0 }),
    auth: Type.Object(
      {
        required: Type.Boolean({ description: 'Whether requests need an API key' }),
        schemes: Type.Array(Type.String(), { description: 'How to send it' }),
      },
      { additionalProperties: false },
    ),
    storage: Type.Object(
      {
        ok: Type.Boolean(),
        adapter: Type.String(),
        detail: Type.Optional(Type.String()),
        pendingMigrations: Type.Optional(Type.Integer({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
    streams: Type.Object(
      {
        subscribers: Type.Integer({ minimum: 0, description: 'SSE and gateway subscriptions being served' }),
        runs: Type.Integer({ minimum: 0, description: 'Runs being streamed' }),
        sse: Type.Integer({ minimum: 0, description: 'Open SSE responses' }),
        wsConnections: Type.Integer({ minimum: 0, description: 'Open gateway connections' }),
      },
      { additionalProperties: false },
    ),
    protocols: Type.Object({ events: Type.Literal(1), gateway: Type.Literal(1) }, { additionalProperties: false }),
  },
  { $id: 'Health', additionalProperties: false },
);
export type Health = Static<typeof Health>;
