import { Type, type Static } from 'typebox';

const KiB = 1024;
const MiB = 1024 * KiB;

/** One accepted API key: the secret itself, or the secret with the org it acts for and a name for logs. */
export const ApiKeyEntry = Type.Union([
  Type.String({ minLength: 16, maxLength: 512, description: 'The key (write ${env:NAME} or ${file:path} rather than the secret itself)' }),
  Type.Object(
    {
      key: Type.String({ minLength: 16, maxLength: 512, description: 'The key' }),
      name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Shown in logs and as the actor of runs' })),
      orgId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Org the key acts for (default: the default org)' })),
      scopes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { description: 'Passed to policies; default ["admin"]' })),
    },
    { additionalProperties: false },
  ),
]);
export type ApiKeyEntry = Static<typeof ApiKeyEntry>;

/**
 * The `server:` section of the config file (docs/http-api.md).
 *
 * @example
 * ```yaml
 * server:
 *   host: 0.0.0.0
 *   port: 8787
 *   apiKeys: ["${env:AGENT_SDK_API_KEY}"]
 * ```
 */
export const ServerConfig = Type.Object(
  {
    host: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Listen address (AGENT_SDK_HOST); a non-loopback address requires API keys' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8787, description: 'Listen port (AGENT_SDK_PORT); 0 picks a free one' }),
    apiKeys: Type.Array(ApiKeyEntry, {
      default: [],
      maxItems: 1000,
      description: 'Accepted API keys (AGENT_SDK_API_KEY, comma-separated); none: open, loopback only',
    }),
    allowedOrigins: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
      default: [],
      description: 'Browser origins (https://app.example.com) allowed besides the server\'s own: CORS and /ws',
    }),
    bodyLimitBytes: Type.Integer({ minimum: KiB, maximum: 64 * MiB, default: MiB, description: 'Largest request body' }),
    shutdownGraceMs: Type.Integer({
      minimum: 0,
      maximum: 60_000,
      default: 5000,
      description: 'How long in-flight requests may finish on SIGTERM before connections are closed',
    }),
    validateResponses: Type.Boolean({ default: false, description: 'Check every JSON response against its declared schema (tests, development)' }),
    idempotency: Type.Object(
      {
        ttlMs: Type.Integer({ minimum: 1000, default: 86_400_000, description: 'How long an Idempotency-Key is remembered (24 h)' }),
        waitMs: Type.Integer({
          minimum: 0,
          maximum: 60_000,
          default: 5000,
          description: 'How long a retry waits for the first request with its key before answering 409',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    sse: Type.Object(
      {
        heartbeatMs: Type.Integer({ minimum: 100, maximum: 15_000, default: 15_000, description: 'Comment line sent to every idle stream this often' }),
        retryMs: Type.Integer({ minimum: 0, maximum: 600_000, default: 2000, description: 'Reconnection delay suggested to EventSource clients' }),
        maxBufferedBytes: Type.Integer({
          minimum: 4 * KiB,
          maximum: 64 * MiB,
          default: 256 * KiB,
          description: 'Unsent bytes a stream may hold; beyond it events wait until the client reads',
        }),
        stallTimeoutMs: Type.Integer({
          minimum: 10,
          maximum: 600_000,
          default: 10_000,
          description: 'How long a client may stay over maxBufferedBytes before it gets stream.overflow and is disconnected (it resumes with Last-Event-ID)',
        }),
        maxSubscribers: Type.Integer({ minimum: 1, default: 10_000, description: 'Event streams served at once (SSE and gateway subscriptions)' }),
        replayWindow: Type.Integer({
          minimum: 16,
          maximum: 100_000,
          default: 512,
          description: 'Recent events kept in memory per followed run, so late subscribers skip the database',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    ws: Type.Object(
      {
        enabled: Type.Boolean({ default: true, description: 'Serve the WebSocket gateway at /ws' }),
        maxFrameBytes: Type.Integer({ minimum: KiB, maximum: 64 * MiB, default: MiB, description: 'Largest frame a client may send' }),
        maxBufferedBytes: Type.Integer({
          minimum: 4 * KiB,
          maximum: 256 * MiB,
          default: MiB,
          description: 'Unsent bytes a connection may hold; beyond it events wait until the client reads',
        }),
        stallTimeoutMs: Type.Integer({
          minimum: 10,
          maximum: 600_000,
          default: 10_000,
          description: 'How long a connection may stay over maxBufferedBytes before it is closed as too slow (4008)',
        }),
        maxSubscriptions: Type.Integer({ minimum: 1, maximum: 10_000, default: 64, description: 'Subscriptions per connection' }),
        helloTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000, description: 'Time a new connection has to send hello' }),
        pingIntervalMs: Type.Integer({
          minimum: 100,
          maximum: 600_000,
          default: 30_000,
          description: 'WebSocket ping interval; a connection that misses a pong is closed',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);
export type ServerConfig = Static<typeof ServerConfig>;
