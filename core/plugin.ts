import type { Static, TSchema } from 'typebox';
import { sdkError } from './errors/agent-sdk-error.js';
import type { Contribution, ExtensionPoint } from './extension-point.js';
import type { Logger } from './ports/logger.js';
import type { AnyPortRef, PortImpl, PortValue } from './ports/port-ref.js';

export type PortMap = Readonly<Record<string, AnyPortRef>>;
export type ResolvedPorts<D extends PortMap> = { readonly [K in keyof D]: PortValue<D[K]> };

/** Facts about the kernel a plugin may need: where to keep files, the environment, the config file. */
export interface KernelInfo {
  /** Absolute path of the data folder (`kernel.dataDir`, default `./.agent-sdk`). */
  readonly dataDir: string;
  /** Absolute path relative paths in the config are resolved against. */
  readonly baseDir: string;
  readonly configFile?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What init, start and stop receive: one context per plugin per kernel. */
export interface PluginContext<C = unknown, D extends PortMap = PortMap, O extends PortMap = PortMap> {
  readonly pluginId: string;
  /** The plugin's validated, frozen config slice (defaults applied). */
  readonly config: C;
  /** Required ports, resolved; optional ones are undefined when nobody provides them. */
  readonly deps: ResolvedPorts<D> & Partial<ResolvedPorts<O>>;
  /** A logger whose records carry `plugin: <id>`. */
  readonly logger: Logger;
  readonly kernel: KernelInfo;
  /** Registers the implementation of a port this plugin declared in `provides` (init only). */
  provide<R extends AnyPortRef>(port: R, implementation: PortImpl<R>): void;
  /** Adds items to an extension point (init only). */
  contribute<T>(point: ExtensionPoint<T>, ...items: T[]): void;
  /** Every item contributed to a point, in plugin order, with who contributed it. Complete from start() on. */
  contributions<T>(point: ExtensionPoint<T>): readonly ContributedItem<T>[];
}

export interface ContributedItem<T> {
  readonly item: T;
  readonly pluginId: string;
}

type ConfigOf<S> = S extends TSchema ? Readonly<Static<S>> : Readonly<Record<string, never>>;

/**
 * A plugin is data: an id, a version, a config schema, what it requires and provides, what it contributes,
 * and three lifecycle hooks. The kernel orders plugins by what they require and provide.
 */
export interface PluginDefinition<
  S extends TSchema | undefined = TSchema | undefined,
  D extends PortMap = PortMap,
  O extends PortMap = PortMap,
  I = unknown,
> {
  /** Kebab-case and unique; also the key of the plugin's config slice. */
  readonly id: string;
  /** Semver. */
  readonly version: string;
  readonly description?: string;
  /** TypeBox schema of the config slice `<id>:`; validated (with defaults) before anything starts. */
  readonly config?: S;
  /** Ports this plugin needs, by name; each must be provided by some enabled plugin (or the kernel). */
  readonly requires?: D;
  /** Ports used when present. */
  readonly optional?: O;
  /** Plugins that must be initialised and started before this one. */
  readonly dependsOn?: readonly string[];
  /** Ports this plugin provides in init(). */
  readonly provides?: readonly AnyPortRef[];
  /** Static contributions to extension points. */
  readonly contributes?: readonly Contribution<any>[];
  /** Overrides `kernel.startTimeoutMs` for this plugin's init and start. */
  readonly startTimeoutMs?: number;
  /**
   * Provide ports and contribute. What it returns (or resolves to) is this kernel's instance of the plugin,
   * handed to `start` and `stop`: a plugin definition is shared by every kernel that uses it, so per-kernel
   * state lives there, not in module variables.
   */
  init?(context: PluginContext<ConfigOf<S>, D, O>): I | Promise<I>;
  start?(context: PluginContext<ConfigOf<S>, D, O>, instance: Awaited<I>): void | Promise<void>;
  stop?(context: PluginContext<ConfigOf<S>, D, O>, instance: Awaited<I>): void | Promise<void>;
}

/** A plugin of any shape, as the kernel holds it. */
export type Plugin = PluginDefinition<any, any, any, any>;

const PLUGIN_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * Declares a plugin. Checks the definition's shape at once, so a typo fails where it was made.
 *
 * @example
 * ```ts
 * export const greeter = definePlugin({
 *   id: 'greeter',
 *   version: '1.0.0',
 *   config: Type.Object({ greeting: Type.String({ default: 'Hello' }) }),
 *   requires: { logger: ports.logger },
 *   init({ config, deps, contribute }) {
 *     contribute(extensionPoints.tools, makeGreetTool(config.greeting));
 *     return { greeted: 0 };            // this kernel's instance, handed to start and stop
 *   },
 *   stop({ logger }, instance) {
 *     logger.info('bye', { greeted: instance.greeted });
 *   },
 * });
 * ```
 */
export function definePlugin<S extends TSchema | undefined = undefined, D extends PortMap = {}, O extends PortMap = {}, I = void>(
  definition: PluginDefinition<S, D, O, I>,
): PluginDefinition<S, D, O, I> {
  const reasons: string[] = [];
  if (typeof definition.id !== 'string' || !PLUGIN_ID.test(definition.id)) {
    reasons.push(`id ${JSON.stringify(definition.id)} is not kebab-case`);
  }
  if (typeof definition.version !== 'string' || !SEMVER.test(definition.version)) {
    reasons.push(`version ${JSON.stringify(definition.version)} of "${definition.id}" is not semver`);
  }
  for (const [name, ref] of Object.entries({ ...definition.requires, ...definition.optional })) {
    if ((ref as AnyPortRef | undefined)?.kind !== 'port') reasons.push(`dependency "${name}" of "${definition.id}" is not a port ref`);
  }
  for (const hook of ['init', 'start', 'stop'] as const) {
    if (definition[hook] !== undefined && typeof definition[hook] !== 'function') reasons.push(`${hook} of "${definition.id}" is not a function`);
  }
  if (reasons.length) throw sdkError('ASDK_PLUGIN_INVALID', { reason: reasons.join('; ') });
  return Object.freeze({ ...definition });
}
