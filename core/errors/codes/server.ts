import type { ErrorSpec } from '../registry.js';

/**
 * Codes raised by the server area: the HTTP transport (adapters/http-koa), its request validation, API keys,
 * idempotency, SSE streams and the WebSocket gateway. Over HTTP each arrives as `application/problem+json`
 * with this `code`; over the gateway as `res.error.code`.
 */
export const serverErrors = {
  ASDK_SERVER_CONFIG: {
    status: 500,
    message: 'Invalid server configuration at {path}: {reason}',
    hint: '{fix} (docs/http-api.md lists every server.* key).',
  },
  ASDK_SERVER_NO_API_KEY: {
    status: 500,
    message: 'The server refuses to listen on {host}, which is not a loopback address, without an API key: set AGENT_SDK_API_KEY (or server.apiKeys), or listen on 127.0.0.1',
    hint: 'Set AGENT_SDK_API_KEY (or server.apiKeys) to a random secret of at least 16 characters (e.g. `openssl rand -hex 32`), or listen on 127.0.0.1 (--host 127.0.0.1, AGENT_SDK_HOST, server.host). docs/security.md explains keys.',
  },
  ASDK_SERVER_LISTEN_FAILED: {
    status: 500,
    message: 'The server could not listen on {host}:{port}: {reason}',
    hint: '{fix} (docs/http-api.md describes server.host and server.port).',
  },
  ASDK_SERVER_ROUTE_CONFLICT: {
    status: 500,
    message: 'Route {method} {path} is defined by both {first} and {second}',
    hint: 'Each method and path has one handler; change one of the paths, or disable one of the plugins in plugins.disable.',
  },
  ASDK_SERVER_ROUTE_INVALID: {
    status: 500,
    message: 'Route {method} {path} from {plugin} is invalid: {reason}',
    hint: 'Declare routes with defineRoute(): an upper-case method, a path starting with "/" whose {params} all have a schema, object schemas for params and query, and a handle function.',
  },
  ASDK_SERVER_INTERNAL: {
    status: 500,
    message: 'The server failed while answering {method} {path}: {reason}',
    hint: 'This is a bug in agent-sdk or in the plugin that owns the route; the log has the cause (with requestId).',
  },
  ASDK_SERVER_RESPONSE_INVALID: {
    status: 500,
    message: 'The response of {method} {path} ({status}) does not match its declared schema: {reason}',
    hint: 'The route\'s handler and its `responses` schema disagree; fix one of them (server.validateResponses is on).',
  },
  ASDK_SERVER_SHUTTING_DOWN: {
    status: 503,
    message: 'The server is shutting down',
    hint: 'Retry in a few seconds, against this server once it is back or another instance; streams resume with Last-Event-ID (SSE) or run.subscribe afterSeq (gateway).',
  },
  ASDK_SERVER_BUSY: {
    status: 503,
    message: 'The server already serves {count} event stream subscribers, its limit (server.sse.maxSubscribers)',
    hint: 'Retry later, close streams you no longer read, or raise server.sse.maxSubscribers.',
  },
  ASDK_HTTP_BAD_REQUEST: {
    status: 400,
    message: 'The request could not be read: {reason}',
    hint: 'Send a well-formed HTTP/1.1 request; percent-encode paths and query strings as UTF-8.',
  },
  ASDK_HTTP_HEADERS_TOO_LARGE: {
    status: 431,
    message: 'The request headers are larger than the server accepts',
    hint: 'Send fewer or shorter headers (cookies for other sites are a common cause).',
  },
  ASDK_HTTP_VALIDATION: {
    status: 400,
    message: 'Invalid request: {summary}',
    hint: 'Fix the inputs listed in errors[] (each with its path); GET /openapi.json and /docs describe every operation.',
  },
  ASDK_HTTP_MALFORMED_JSON: {
    status: 400,
    message: 'The request body is not valid JSON: {reason}',
    hint: 'Send one JSON value encoded as UTF-8 with Content-Type: application/json.',
  },
  ASDK_HTTP_BAD_ENCODING: {
    status: 400,
    message: 'The request body is not valid UTF-8',
    hint: 'Encode the body as UTF-8 (JSON requires it).',
  },
  ASDK_HTTP_BODY_TOO_LARGE: {
    status: 413,
    message: 'The request body is larger than {limit} bytes',
    hint: 'Send a smaller body; the limit is server.bodyLimitBytes (a route may set its own).',
  },
  ASDK_HTTP_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: '{method} {path} does not accept a body of type {found}',
    hint: 'Send Content-Type: {expected} (charset utf-8, no Content-Encoding).',
  },
  ASDK_HTTP_NOT_FOUND: {
    status: 404,
    message: 'There is no route {method} {path}',
    hint: 'GET /openapi.json lists every route (and /docs shows them); paths are case-sensitive and have no trailing slash.',
  },
  ASDK_HTTP_METHOD_NOT_ALLOWED: {
    status: 405,
    message: '{method} is not allowed on {path}; allowed: {allowed}',
    hint: 'Use one of the methods in the Allow header.',
  },
  ASDK_HTTP_ORIGIN_REFUSED: {
    status: 403,
    message: 'Requests from origin {origin} are not allowed',
    hint: 'Call from the server\'s own origin, or add the origin (scheme://host:port) to server.allowedOrigins.',
  },
  ASDK_HTTP_HOST_REFUSED: {
    status: 403,
    message: 'Host {host} is not served: this server has no API key, so it answers loopback host names only',
    hint: 'Address it as localhost or 127.0.0.1 (this protects an open server from DNS rebinding), or set an API key (AGENT_SDK_API_KEY) to serve other names.',
  },
  ASDK_HTTP_UPGRADE_REQUIRED: {
    status: 426,
    message: '{path} is the WebSocket gateway; it answers WebSocket upgrades only',
    hint: 'Connect with a WebSocket client (ws://host:port/ws) and send a hello frame first; docs/gateway.md has an example.',
  },
  ASDK_AUTH_REQUIRED: {
    status: 401,
    message: 'This server requires an API key',
    hint: 'Send Authorization: Bearer <key> (or X-API-Key: <key>); keys are set with AGENT_SDK_API_KEY or server.apiKeys.',
  },
  ASDK_AUTH_INVALID_KEY: {
    status: 401,
    message: 'The API key sent in {header} is not valid',
    hint: 'Check the key for typos and stray whitespace; keys are set with AGENT_SDK_API_KEY or server.apiKeys.',
  },
  ASDK_SESSION_NOT_FOUND: {
    status: 404,
    message: 'Session "{sessionId}" does not exist in org "{orgId}"',
    hint: 'Check the session id (GET /sessions lists them); sessions of another org are invisible.',
  },
  ASDK_IDEMPOTENCY_KEY_INVALID: {
    status: 400,
    message: 'Idempotency-Key {reason}',
    hint: 'Send 1 to 255 visible ASCII characters, e.g. a UUID, and reuse it only to retry the same request.',
  },
  ASDK_IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    message: 'Idempotency-Key "{key}" was first used with a different request',
    hint: 'A key names one request: send a new key for a new request, or resend exactly the first body to get its answer.',
  },
  ASDK_IDEMPOTENCY_IN_PROGRESS: {
    status: 409,
    message: 'The first request with Idempotency-Key "{key}" is still being processed',
    hint: 'Retry after a moment (Retry-After) to get its response.',
  },
  ASDK_STREAM_CURSOR_AHEAD: {
    status: 400,
    message: '{source} is {after}, beyond the last event of run "{runId}" (seq {lastSeq})',
    hint: 'Send the id of the last event you received (or 0 to replay from the start).',
  },
  ASDK_STREAM_SLOW_CONSUMER: {
    status: 503,
    message: 'The client read the stream of run "{runId}" too slowly: {buffered} bytes were waiting (limit {limit}); the stream was closed after seq {lastSeq}',
    hint: 'Reconnect with Last-Event-ID: {lastSeq} (SSE) or run.subscribe afterSeq {lastSeq} (gateway); nothing is lost.',
  },
  ASDK_WS_PROTOCOL: {
    status: 400,
    message: 'Invalid gateway frame: {reason}',
    hint: 'Frames are JSON objects with a type (hello, req, ping); see docs/gateway.md.',
  },
  ASDK_WS_HELLO_REQUIRED: {
    status: 400,
    message: 'The first frame must be hello; got {found}',
    hint: 'Send {"type":"hello","protocol":1,"apiKey":"..."} first and wait for welcome.',
  },
  ASDK_WS_PROTOCOL_VERSION: {
    status: 400,
    message: 'Gateway protocol {found} is not supported; this server speaks {supported}',
    hint: 'Send "protocol": 1 in hello; upgrade the client for newer protocols.',
  },
  ASDK_WS_UNKNOWN_METHOD: {
    status: 404,
    message: 'Unknown gateway method "{method}"{suggestion}',
    hint: 'Methods: {available}.',
  },
  ASDK_WS_TOO_MANY_SUBSCRIPTIONS: {
    status: 429,
    message: 'This connection already has {count} subscriptions, its limit (server.ws.maxSubscriptions)',
    hint: 'Unsubscribe (run.unsubscribe) from runs you no longer follow, or open another connection.',
  },
  ASDK_WS_SUBSCRIPTION_NOT_FOUND: {
    status: 404,
    message: 'Subscription "{sub}" does not exist on this connection',
    hint: 'Use the sub returned by run.subscribe; a subscription ends by itself after the run\'s terminal event.',
  },
  ASDK_WS_HELLO_TIMEOUT: {
    status: 408,
    message: 'No hello frame arrived within {timeoutMs} ms',
    hint: 'Send the hello frame as soon as the connection opens.',
  },
} as const satisfies Record<string, ErrorSpec>;
