import 'reflect-metadata';
import { Kernel, readConfigSource, type ConfigSource, type Plugin } from './core/index.js';
import { batteries } from './batteries.js';

export * from './core/index.js';
export { batteries } from './batteries.js';
// The built-in plugins, for composing your own set (`createKernel({ batteries: false, plugins: [...] })`).
export { serverPlugin, routes, defineRoute, hashApiKey, apiKeyPrefix, type RouteDefinition, type RouteRequest, type RouteReply } from './adapters/http-koa/index.js';
export { storagePlugin } from './adapters/storage-mikro-orm/index.js';
export { memoryStoragePlugin } from './adapters/storage-memory/index.js';
export { offlineModelPlugin } from './adapters/model-offline/index.js';
export { openaiModelPlugin } from './adapters/model-openai/index.js';
export { anthropicModelPlugin } from './adapters/model-anthropic/index.js';
export { presetsPlugin } from './plugins/presets/index.js';
export { calculatorPlugin } from './plugins/tools-calculator/index.js';
export { filesystemPlugin } from './plugins/tools-filesystem/index.js';
export { httpPlugin } from './plugins/tools-http/index.js';
export { timePlugin } from './plugins/tools-time/index.js';
export { vectorPlugin } from './plugins/tools-vector/index.js';
// Retrieval: the embedder and the vector index with ingestion; ragPorts.documents is the ingestion service.
export { embeddingPlugin, ragPlugin, ragPorts } from './plugins/rag/index.js';
export { jsonlStdoutPlugin, jsonlFilePlugin, metricsPlugin, observabilityPlugin, pinoLoggerPlugin } from './plugins/observability/index.js';

export interface CreateKernelOptions {
  /**
   * A config file path, or the config itself as an object. Default: `agent-sdk.config.*` in `cwd`
   * (or AGENT_SDK_CONFIG), and the embedded default when there is none.
   */
  readonly config?: string | Record<string, unknown>;
  /** Plugins added to the batteries (or used alone with `batteries: false`). */
  readonly plugins?: readonly Plugin[];
  /** `false` leaves out the built-in plugins. Default true. */
  readonly batteries?: boolean;
  /** Default: process.cwd(). */
  readonly cwd?: string;
  /** Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Creates a kernel: the built-in plugins plus yours, configured from a file, an object, or the embedded
 * default. Nothing starts until `kernel.start()`.
 *
 * @example
 * ```ts
 * import { createKernel } from 'agent-sdk';
 * const kernel = await createKernel();
 * await kernel.start();
 * // ...
 * await kernel.stop();
 * ```
 */
export async function createKernel(options: CreateKernelOptions = {}): Promise<Kernel> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const source: ConfigSource =
    typeof options.config === 'object' && options.config !== null
      ? { raw: options.config, baseDir: cwd }
      : await readConfigSource({ cwd, env, file: options.config });
  const plugins = [...(options.batteries === false ? [] : batteries()), ...(options.plugins ?? [])];
  return new Kernel({ plugins, source, env, cwd });
}
