import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { ConfigSource } from './config/load.js';
import { resolveConfig, type ResolvedConfig } from './config/resolve.js';
import { createJsonLogger, envSecrets, systemClock } from './defaults.js';
import { isAgentSdkError, problem, sdkError, type Problem } from './errors/agent-sdk-error.js';
import type { ExtensionPoint } from './extension-point.js';
import { checkGraph } from './graph.js';
import type { ContributedItem, KernelInfo, Plugin, PluginContext } from './plugin.js';
import { ports } from './ports/index.js';
import type { AnyPortRef, PortValue } from './ports/port-ref.js';
import type { RunService } from './ports/runs.js';

export type KernelState = 'created' | 'starting' | 'started' | 'stopping' | 'stopped' | 'failed';

export interface KernelOptions {
  readonly plugins?: readonly Plugin[];
  /** The config as read from a file (see `readConfigSource`) or given inline. Default: empty (all defaults). */
  readonly source?: ConfigSource;
  /** Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default: process.cwd(). */
  readonly cwd?: string;
}

/** What `check()` finds without starting anything: what `agent-sdk doctor` prints. */
export interface KernelReport {
  readonly configProblems: readonly Problem[];
  readonly graphProblems: readonly Problem[];
  /** Enabled plugins in start order (registration order when the graph has problems). */
  readonly plugins: readonly { readonly id: string; readonly version: string }[];
  /** Where files would live and which config file was read. */
  readonly info: KernelInfo;
  /** An enabled plugin's validated config slice (defaults applied), or undefined. */
  section(pluginId: string): unknown;
  /** The static contributions (`contributes`) of the enabled plugins to a point, in plugin order. */
  contributions<T>(point: ExtensionPoint<T>): readonly ContributedItem<T>[];
}

const DEFAULT_PORTS = [ports.logger, ports.clock, ports.secrets];
/** Errors about how a plugin used the kernel: reported as they are, not wrapped as "failed in init". */
const KERNEL_CONTRACT_CODES = new Set<string>(['ASDK_PLUGIN_START_TIMEOUT', 'ASDK_PORT_UNDECLARED', 'ASDK_EXTENSIONS_SEALED']);

/**
 * The kernel: one tsyringe child container, the plugins registered on it, and their lifecycle.
 * validate config -> check graph -> init and start in dependency order -> stop in reverse order.
 * Two kernels in one process share nothing.
 */
export class Kernel {
  readonly #container: DependencyContainer = rootContainer.createChildContainer();
  readonly #plugins: Plugin[] = [];
  readonly #source: ConfigSource;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #contributions = new Map<string, ContributedItem<unknown>[]>();
  /** Plugins whose init completed, in order: these are stopped. */
  readonly #initialized: { plugin: Plugin; context: PluginContext<any, any, any>; instance: unknown }[] = [];
  #resolved?: Promise<ResolvedConfig>;
  #state: KernelState = 'created';
  #sealed = false;
  #starting?: Promise<void>;
  #info?: KernelInfo;

  constructor(options: KernelOptions = {}) {
    const cwd = options.cwd ?? process.cwd();
    this.#source = options.source ?? { raw: {}, baseDir: cwd };
    this.#env = options.env ?? process.env;
    this.use(...(options.plugins ?? []));
  }

  get state(): KernelState {
    return this.#state;
  }

  /** The config file this kernel was created from, if any. */
  get configFile(): string | undefined {
    return this.#source.file;
  }

  /** Where files live and which config file was read; available once started. */
  get info(): KernelInfo {
    if (!this.#info) throw sdkError('ASDK_KERNEL_STATE', { action: 'read kernel.info', state: this.#state });
    return this.#info;
  }

  /** The runtime's service: start, follow and cancel runs. */
  get runs(): RunService {
    return this.get(ports.runs);
  }

  /** Registers plugins; refused once the kernel has started. */
  use(...plugins: Plugin[]): this {
    for (const plugin of plugins) {
      if (this.#state !== 'created') throw sdkError('ASDK_KERNEL_STARTED', { plugin: plugin.id });
      this.#plugins.push(plugin);
    }
    this.#resolved = undefined;
    return this;
  }

  /** Validates the config and checks the plugin graph without starting anything. */
  async check(): Promise<KernelReport> {
    const resolved = await this.#resolve();
    const graph = checkGraph(resolved.plugins, { defaults: DEFAULT_PORTS, disabled: resolved.disabled });
    return {
      configProblems: resolved.problems,
      graphProblems: graph.problems,
      plugins: graph.order.map(({ id, version }) => ({ id, version })),
      info: this.#infoFor(resolved),
      section: (pluginId) => resolved.slices.get(pluginId),
      contributions: <T>(point: ExtensionPoint<T>) =>
        graph.order.flatMap((plugin) =>
          (plugin.contributes ?? []).filter((c) => c.point.id === point.id).flatMap((c) => c.items.map((item) => ({ item: item as T, pluginId: plugin.id }))),
        ),
    };
  }

  #infoFor(resolved: ResolvedConfig): KernelInfo {
    return Object.freeze({ dataDir: resolved.kernel.dataDir, baseDir: this.#source.baseDir, configFile: this.#source.file, env: this.#env });
  }

  /** Validates, checks the graph, then inits and starts every plugin in dependency order. */
  async start(): Promise<this> {
    if (this.#state !== 'created') throw sdkError('ASDK_KERNEL_STATE', { action: 'start', state: this.#state });
    this.#state = 'starting';
    this.#starting = this.#startAll();
    try {
      await this.#starting;
      this.#state = 'started';
      return this;
    } catch (error) {
      this.#state = 'failed';
      throw error;
    }
  }

  /** Stops every initialised plugin in reverse order; every stop hook runs even when one throws. */
  async stop(): Promise<void> {
    if (this.#state === 'created' || this.#state === 'stopped') {
      this.#state = 'stopped';
      return;
    }
    if (this.#state === 'stopping') throw sdkError('ASDK_KERNEL_STATE', { action: 'stop', state: this.#state });
    await this.#starting?.catch(() => undefined);
    this.#state = 'stopping';
    const failures = await this.#stopInitialized();
    this.#state = 'stopped';
    if (failures.length) {
      throw sdkError(
        'ASDK_PLUGIN_STOP_FAILED',
        { count: failures.length, plugins: failures.map((f) => f.problem.plugin) },
        { problems: failures.map((f) => f.problem), cause: new AggregateError(failures.map((f) => f.error)) },
      );
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Resolves a port. A multiple port resolves to every implementation. */
  get<R extends AnyPortRef>(port: R): PortValue<R> {
    const value = this.tryGet(port);
    if (value === undefined) {
      const reason = this.#state === 'created' ? ': the kernel has not started (await kernel.start())' : ': no plugin provides it';
      throw sdkError('ASDK_PORT_UNAVAILABLE', { port: port.id, reason });
    }
    return value;
  }

  /** Like `get`, but undefined when nobody provides the port. */
  tryGet<R extends AnyPortRef>(port: R): PortValue<R> | undefined {
    if (port.multiple) return (this.#container.isRegistered(port.id) ? this.#container.resolveAll(port.id) : []) as PortValue<R>;
    return (this.#container.isRegistered(port.id) ? this.#container.resolve(port.id) : undefined) as PortValue<R> | undefined;
  }

  /** Everything contributed to an extension point, in plugin order. */
  contributions<T>(point: ExtensionPoint<T>): readonly ContributedItem<T>[] {
    return (this.#contributions.get(point.id) ?? []) as ContributedItem<T>[];
  }

  #resolve(): Promise<ResolvedConfig> {
    this.#resolved ??= resolveConfig({ source: this.#source, env: this.#env, plugins: this.#plugins });
    return this.#resolved;
  }

  async #startAll(): Promise<void> {
    const resolved = await this.#resolve();
    if (resolved.problems.length) {
      throw sdkError('ASDK_CONFIG_INVALID', { count: resolved.problems.length }, { problems: resolved.problems });
    }
    const graph = checkGraph(resolved.plugins, { defaults: DEFAULT_PORTS, disabled: resolved.disabled });
    if (graph.problems.length) {
      throw sdkError('ASDK_PLUGIN_GRAPH_INVALID', { count: graph.problems.length }, { problems: graph.problems });
    }
    const logger = createJsonLogger({ level: resolved.kernel.logLevel });
    this.#container.register(ports.logger.id, { useValue: logger });
    this.#container.register(ports.clock.id, { useValue: systemClock });
    this.#container.register(ports.secrets.id, { useValue: envSecrets(this.#env) });
    this.#info = this.#infoFor(resolved);

    for (const plugin of graph.order) {
      for (const { point, items } of plugin.contributes ?? []) this.#contribute(plugin.id, point, items);
    }
    const timeoutMs = (plugin: Plugin) => plugin.startTimeoutMs ?? resolved.kernel.startTimeoutMs;
    try {
      for (const plugin of graph.order) {
        const context = this.#contextFor(plugin, resolved.slices.get(plugin.id));
        const instance = await this.#runHook(plugin, 'init', context, undefined, timeoutMs(plugin));
        this.#initialized.push({ plugin, context, instance });
        for (const port of plugin.provides ?? []) {
          if (!this.#container.isRegistered(port.id)) throw sdkError('ASDK_PORT_NOT_PROVIDED', { plugin: plugin.id, port: port.id });
        }
      }
      this.#sealed = true;
      for (const { plugin, context, instance } of this.#initialized) await this.#runHook(plugin, 'start', context, instance, timeoutMs(plugin));
    } catch (error) {
      const failures = await this.#stopInitialized(resolved.kernel.stopTimeoutMs);
      for (const failure of failures) logger.error('stop after a failed start also failed', { plugin: failure.problem.plugin, error: failure.error });
      throw error;
    }
  }

  /** Runs init or start under the timeout; wraps a failure with the plugin's id, keeping the cause's hint and problems. */
  async #runHook(plugin: Plugin, phase: 'init' | 'start', context: PluginContext<any, any, any>, instance: unknown, timeoutMs: number): Promise<unknown> {
    const hook = plugin[phase];
    if (!hook) return undefined;
    try {
      return await withTimeout(Promise.resolve().then(() => hook.call(plugin, context, instance)), timeoutMs, () =>
        sdkError('ASDK_PLUGIN_START_TIMEOUT', { plugin: plugin.id, phase, timeoutMs }),
      );
    } catch (error) {
      if (isAgentSdkError(error) && KERNEL_CONTRACT_CODES.has(error.code)) throw error;
      const code = phase === 'init' ? 'ASDK_PLUGIN_INIT_FAILED' : 'ASDK_PLUGIN_START_FAILED';
      const inner = isAgentSdkError(error) ? { hint: error.hint, problems: error.problems } : {};
      throw sdkError(code, { plugin: plugin.id, reason: (error as Error)?.message ?? String(error) }, { cause: error, ...inner });
    }
  }

  async #stopInitialized(stopTimeoutMs?: number): Promise<{ problem: Problem; error: unknown }[]> {
    const timeoutMs = stopTimeoutMs ?? (await this.#resolve()).kernel.stopTimeoutMs;
    const failures: { problem: Problem; error: unknown }[] = [];
    while (this.#initialized.length) {
      const { plugin, context, instance } = this.#initialized.pop()!;
      if (!plugin.stop) continue;
      try {
        await withTimeout(Promise.resolve().then(() => plugin.stop!.call(plugin, context, instance)), timeoutMs, () =>
          sdkError('ASDK_PLUGIN_STOP_TIMEOUT', { plugin: plugin.id, timeoutMs }),
        );
      } catch (error) {
        const timedOut = (error as { code?: string }).code === 'ASDK_PLUGIN_STOP_TIMEOUT';
        const reason = (error as Error)?.message ?? String(error);
        failures.push({
          problem: timedOut
            ? problem('ASDK_PLUGIN_STOP_TIMEOUT', { plugin: plugin.id, timeoutMs }, { plugin: plugin.id })
            : { code: 'ASDK_PLUGIN_STOP_FAILED', message: `stop() threw: ${reason}`, plugin: plugin.id },
          error,
        });
      }
    }
    return failures;
  }

  #contribute(pluginId: string, point: ExtensionPoint<unknown>, items: readonly unknown[]): void {
    if (this.#sealed) throw sdkError('ASDK_EXTENSIONS_SEALED', { plugin: pluginId, point: point.id });
    const list = this.#contributions.get(point.id) ?? [];
    for (const item of items) list.push({ item, pluginId });
    this.#contributions.set(point.id, list);
  }

  #contextFor(plugin: Plugin, config: unknown): PluginContext<any, any, any> {
    const deps: Record<string, unknown> = {};
    for (const [name, port] of Object.entries<AnyPortRef>(plugin.requires ?? {})) deps[name] = this.get(port);
    for (const [name, port] of Object.entries<AnyPortRef>(plugin.optional ?? {})) deps[name] = this.tryGet(port);
    const declared = new Set((plugin.provides ?? []).map((p) => p.id));
    return Object.freeze({
      pluginId: plugin.id,
      config,
      deps: Object.freeze(deps),
      logger: this.get(ports.logger).child({ plugin: plugin.id }),
      kernel: this.info,
      provide: (port: AnyPortRef, implementation: unknown) => {
        if (!declared.has(port.id)) throw sdkError('ASDK_PORT_UNDECLARED', { plugin: plugin.id, port: port.id });
        if (this.#sealed) throw sdkError('ASDK_EXTENSIONS_SEALED', { plugin: plugin.id, point: port.id });
        this.#container.register(port.id, { useValue: implementation });
      },
      contribute: (point: ExtensionPoint<unknown>, ...items: unknown[]) => this.#contribute(plugin.id, point, items),
      contributions: <T>(point: ExtensionPoint<T>) => this.contributions(point),
    });
  }
}

/** Rejects with `onTimeout()` when `promise` has not settled after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
