/**
 * The server: the HTTP API on Koa (REST, SSE with replay, OpenAPI 3.1, /docs), the WebSocket gateway at /ws,
 * API keys and Idempotency-Key (docs/http-api.md, docs/gateway.md, docs/security.md). Plugins add routes
 * through `routes`.
 */
export { serverPlugin } from './plugin.js';
export { routes, defineRoute, type RouteDefinition, type RouteRequest, type RouteReply, type RouteResponse, type RouteBody, type HttpMethod, type AnyRoute } from './route.js';
export { ServerConfig, ApiKeyEntry } from './config.js';
export { ApiKeyVerifier, apiKeyPrefix, hashApiKey, API_KEY_PREFIX_LENGTH, type Principal } from './auth.js';
export { HttpServer, type StreamStats } from './http-server.js';
export { serverDoctorCheck } from './doctor-check.js';
export { ProblemSchema, type ProblemBody } from './problem.js';
export { GATEWAY_PROTOCOL, CLOSE as GATEWAY_CLOSE_CODES } from './gateway/protocol.js';
export * as serverSchemas from './schemas.js';

import { serverPlugin } from './plugin.js';
export default serverPlugin;
