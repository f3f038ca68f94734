import { serverPlugin } from './adapters/http-koa/index.js';
import { anthropicModelPlugin } from './adapters/model-anthropic/index.js';
import { offlineModelPlugin } from './adapters/model-offline/index.js';
import { openaiModelPlugin } from './adapters/model-openai/index.js';
import { storagePlugin } from './adapters/storage-mikro-orm/index.js';
import { runtimePlugins, type Plugin } from './core/index.js';
import { consolePlugin } from './plugins/console/index.js';
import { metricsPlugin } from './plugins/metrics/index.js';
import { jsonlFilePlugin, observabilityPlugin, pinoLoggerPlugin } from './plugins/observability/index.js';
import { presetsPlugin } from './plugins/presets/index.js';
import { embeddingPlugin, ragPlugin } from './plugins/rag/index.js';
import { calculatorPlugin } from './plugins/tools-calculator/index.js';
import { filesystemPlugin } from './plugins/tools-filesystem/index.js';
import { httpPlugin } from './plugins/tools-http/index.js';
import { timePlugin } from './plugins/tools-time/index.js';
import { vectorPlugin } from './plugins/tools-vector/index.js';

/**
 * The embedded default: the plugins `createKernel()` and `agent-sdk server` run when nothing else is said.
 * Like a router preset, this file only chooses; each plugin lives in plugins/ or adapters/.
 */
export function batteries(): Plugin[] {
  return [
    // Logs and metrics first: every plugin logs through pino once logger.enabled, and may record into ports.metrics
    // (prom-client; docs/observability.md).
    pinoLoggerPlugin,
    metricsPlugin,
    // The agent runtime: runs, tool registry, policy chain, model router (`models:`, docs/models.md).
    ...runtimePlugins(),
    // Model providers; `models.default` is the offline model unless configured.
    offlineModelPlugin,
    openaiModelPlugin,
    anthropicModelPlugin,
    // assistant_basic, assistant_tools, assistant_rag, assistant_multiagent, and `presets:` of the config.
    presetsPlugin,
    // Storage: SQLite under kernel.dataDir by default, Postgres with storage.url (docs/storage.md).
    storagePlugin,
    // Tool packs (docs/tools.md). http.fetch refuses every host until tools-http.allowHosts lists some.
    calculatorPlugin,
    timePlugin,
    filesystemPlugin,
    httpPlugin,
    vectorPlugin,
    // Retrieval: the local embedder (or embedding.provider: openai), the vector index vector.search uses,
    // ingestion (agent-sdk ingest, /collections routes) (docs/rag.md).
    embeddingPlugin,
    ragPlugin,
    // Metrics derived from run events, GET /metrics and GET /stats; run logs as JSON Lines under <kernel.dataDir>/logs.
    observabilityPlugin,
    jsonlFilePlugin,
    // The dev console at / (docs/console.md): prompt, streamed runs, tool calls, sessions, raw events, replay.
    consolePlugin,
    // The server: REST + SSE, the WebSocket gateway at /ws, /docs, on 127.0.0.1:8787 (docs/http-api.md).
    serverPlugin,
  ];
}
