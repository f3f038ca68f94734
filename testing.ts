import 'reflect-metadata';
import { Kernel, ports, runtimePlugins, type AnyPortRef, type Plugin } from './core/index.js';
import { offlineModelPlugin } from './adapters/model-offline/index.js';
import { scriptedModelsPlugin, type ScriptedModel } from './adapters/model-scripted/index.js';
import { memoryStoragePlugin } from './adapters/storage-memory/index.js';

export { scripted, type Script, type ScriptStep, type ScriptedCall, type ScriptedError, type ScriptedModel } from './adapters/model-scripted/index.js';
export { createMemoryStorage, memoryStoragePlugin, type MemoryStorage } from './adapters/storage-memory/index.js';

export interface TestKernelOptions {
  /** The plugins under test, and any they need. */
  readonly plugins?: readonly Plugin[];
  /** The config, as it would appear in agent-sdk.config.yaml. */
  readonly config?: Record<string, unknown>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The `default` model: a script (see `scripted`). Default: the offline model. */
  readonly model?: ScriptedModel;
  /** More scripted models by name, e.g. for a fallback chain `model: ['default', 'backup']`. */
  readonly models?: Readonly<Record<string, ScriptedModel>>;
  /**
   * Adds the runtime (runs, tool registry, policy chain, model router), in-memory storage and the offline
   * model, each unless one of your plugins provides that port already. Default true.
   */
  readonly runtime?: boolean;
}

/**
 * Starts a kernel for a test: your plugins, the runtime with in-memory storage, the models you script,
 * logs silenced unless the config says otherwise. Stop it at the end of the test (`await kernel.stop()`).
 *
 * @example
 * ```ts
 * const model = scripted([{ toolCalls: [{ name: 'hello.greet', args: { name: 'Ada' } }] }, 'Done.']);
 * const kernel = await startTestKernel({ plugins: [helloPlugin], model });
 * const run = await kernel.runs.start({ agent: { instructions: 'Greet.', tools: ['hello.*'] }, input: 'Greet Ada' });
 * console.log((await run.result()).output); // "Done."
 * await kernel.stop();
 * ```
 */
export async function startTestKernel(options: TestKernelOptions = {}): Promise<Kernel> {
  const given = options.plugins ?? [];
  const config: Record<string, unknown> = { ...options.config, kernel: { logLevel: 'silent', ...(options.config?.kernel as object | undefined) } };
  const plugins: Plugin[] = [];
  if (options.runtime !== false) {
    const provided = new Set(given.flatMap((plugin) => (plugin.provides ?? []).map((port: AnyPortRef) => port.id)));
    const ids = new Set(given.map((plugin) => plugin.id));
    const wanted = (plugin: Plugin) => !ids.has(plugin.id) && !(plugin.provides ?? []).some((port: AnyPortRef) => provided.has(port.id));
    plugins.push(...runtimePlugins().filter(wanted));
    if (wanted(memoryStoragePlugin) && !provided.has(ports.storage.id)) plugins.push(memoryStoragePlugin);
    if (wanted(offlineModelPlugin)) plugins.push(offlineModelPlugin);
    const scripts: Record<string, ScriptedModel> = { ...options.models, ...(options.model && { default: options.model }) };
    if (Object.keys(scripts).length) {
      plugins.push(scriptedModelsPlugin(scripts));
      const models: Record<string, unknown> = { ...(config.models as Record<string, unknown> | undefined) };
      for (const name of Object.keys(scripts)) models[name] ??= { provider: 'scripted', script: name };
      if (options.model) models.default = { provider: 'scripted', script: 'default' };
      config.models = models;
    }
  }
  plugins.push(...given);
  const kernel = new Kernel({ plugins, source: { raw: config, baseDir: process.cwd() }, env: options.env ?? {} });
  return kernel.start();
}
