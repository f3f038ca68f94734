import { Type, type Static } from 'typebox';
import { extensionPoints } from '../extensions.js';
import { contribution } from '../extension-point.js';
import { definePlugin, type Plugin, type PluginContext } from '../plugin.js';
import { modelsDoctorCheck } from './model-doctor.js';
import { ports } from '../ports/index.js';
import type { ModelInfo } from '../ports/model.js';
import type { PolicyPoint, PolicyPort } from '../ports/policy.js';
import { AgentResolver } from './agent-resolver.js';
import { MemoryPolicySchema } from './agent-schema.js';
import { DeadlineQueue } from './deadlines.js';
import { EventExporters } from './event-exporters.js';
import { createMemoryEventBus } from './memory-event-bus.js';
import { ModelsConfig } from './model-config.js';
import { ModelRouter } from './model-router.js';
import { PolicyChain } from './policy-chain.js';
import { Runtime } from './runtime.js';
import { summarizerChooser } from './compaction.js';
import { extractiveSummarizer, summarizers, type HistorySummarizer } from './summarizer.js';
import type { RuntimeServices } from './runtime-services.js';
import { isoTimestamps } from './timestamps.js';
import { ToolRegistry } from './tool-registry.js';

/**
 * What a plugin made in init, kept for its start and stop. A plugin definition is shared by every kernel
 * that uses it; its context is one per kernel.
 */
const made = new WeakMap<PluginContext<any, any, any>, unknown>();
function keep<T>(context: PluginContext<any, any, any>, value: T): T {
  made.set(context, value);
  return value;
}
function kept<T>(context: PluginContext<any, any, any>): T {
  return made.get(context) as T;
}

/**
 * The model router (`ports.model`), configured by the `models:` section (docs/models.md):
 *
 * @example
 * ```yaml
 * models:
 *   default: offline
 *   fast: { provider: openai, model: gpt-4.1-mini, apiKey: "${env:OPENAI_API_KEY}" }
 * ```
 */
export const modelsPlugin = definePlugin({
  id: 'models',
  version: '1.0.0',
  description: 'Named models over the contributed providers, with retries and fallback',
  config: ModelsConfig,
  requires: { clock: ports.clock, secrets: ports.secrets },
  optional: { metrics: ports.metrics },
  provides: [ports.model],
  contributes: [contribution(extensionPoints.doctorChecks, modelsDoctorCheck)],
  init(context) {
    context.provide(ports.model, keep(context, new ModelRouter({ clock: context.deps.clock, secrets: context.deps.secrets, metrics: context.deps.metrics })));
  },
  start(context) {
    kept<ModelRouter>(context).configure(context.config as Record<string, never>, context.contributions(extensionPoints.modelProviders));
  },
});

/** The tool registry (`ports.tool`) over `extensionPoints.tools`: duplicates and malformed tools refused at start. */
export const toolRegistryPlugin = definePlugin({
  id: 'tool-registry',
  version: '1.0.0',
  description: 'The registry of versioned tools',
  provides: [ports.tool],
  init(context) {
    context.provide(ports.tool, keep(context, new ToolRegistry()));
  },
  start(context) {
    kept<ToolRegistry>(context).load(context.contributions(extensionPoints.tools));
  },
});

/** The policy chain (`ports.policy`) over `extensionPoints.policies`, in contribution order. */
export const policyChainPlugin = definePlugin({
  id: 'policy-chain',
  version: '1.0.0',
  description: 'The ordered chain of policies',
  provides: [ports.policy],
  init(context) {
    context.provide(ports.policy, keep(context, new PolicyChain(context.logger)));
  },
  start(context) {
    kept<PolicyChain>(context).load(context.contributions(extensionPoints.policies));
  },
});

/** `runtime:` in the config file. */
export const RuntimeConfig = Type.Object(
  {
    limits: Type.Object(
      {
        maxSteps: Type.Integer({ minimum: 1, maximum: 1000, default: 16, description: 'Model calls per run' }),
        maxToolCalls: Type.Integer({ minimum: 0, maximum: 10_000, default: 64, description: 'Tool calls per run' }),
        maxTokens: Type.Integer({ minimum: 1, default: 1_000_000, description: 'Input + output tokens per run' }),
        timeoutMs: Type.Integer({ minimum: 1, default: 300_000, description: 'Wall-clock milliseconds per run' }),
      },
      { additionalProperties: false, default: {}, description: 'Defaults for every run; an agent or a request may override each' },
    ),
    memory: Type.Object(MemoryPolicySchema.properties, {
      additionalProperties: false,
      default: { maxMessages: 100, strategy: 'truncate' },
      description: 'History kept for agents that set no memory policy',
    }),
    maxConcurrentRuns: Type.Integer({ minimum: 0, default: 0, description: 'Runs executing at once; more wait with run.queued (0: no limit)' }),
    maxInputChars: Type.Integer({ minimum: 1, default: 100_000, description: 'Longest accepted run input' }),
    summarizer: Type.String({
      minLength: 1,
      default: 'auto',
      description:
        'Who writes the summary of a summarize memory policy: model (the agent\'s model), extractive (no model call), a contributed summariser by name, or auto (a contributed one, else the model unless it is the offline model)',
    }),
  },
  { additionalProperties: false },
);
export type RuntimeConfig = Static<typeof RuntimeConfig>;

/**
 * The agent runtime (`ports.runs`, reached as `kernel.runs`): presets from `extensionPoints.presets`,
 * the loop, limits, cancellation, sessions and live events. Uses `ports.eventBus` when a plugin provides one,
 * else an in-process bus, and hands every durable envelope to the contributed `extensionPoints.exporters`.
 */
export const runtimePlugin = definePlugin({
  id: 'runtime',
  version: '1.0.0',
  description: 'The agent loop: runs, sessions, limits, cancellation and live events',
  config: RuntimeConfig,
  requires: { model: ports.model, tool: ports.tool, policy: ports.policy, storage: ports.storage, clock: ports.clock, logger: ports.logger },
  optional: { eventBus: ports.eventBus },
  provides: [ports.runs],
  init(context) {
    const { deps, config, logger } = context;
    const router = deps.model;
    const tools = deps.tool;
    // Every point counts as watched until start() asks the chain, which is loaded by then.
    const policyActive = { beforeRun: true, beforeModelCall: true, beforeToolCall: true, onEvent: true, afterRun: true };
    const exporters = new EventExporters(logger);
    const services: Omit<RuntimeServices, 'startNested' | 'ended'> = {
      storage: deps.storage,
      bus: deps.eventBus ?? createMemoryEventBus(logger),
      exporters,
      router,
      tools,
      policy: deps.policy,
      policyActive,
      logger,
      timestamp: isoTimestamps(deps.clock),
      deadlines: new DeadlineQueue(),
      defaults: { limits: config.limits, memory: config.memory },
      summarizerFor: (chain) => summarizerFor.choose(chain),
      stream:
        router instanceof ModelRouter
          ? (chain, request, interrupt) => router.route(chain, request, interrupt)
          : (chain, request, interrupt) => router.stream(chain, { ...request, signal: interrupt.signal }),
      callTool:
        tools instanceof ToolRegistry
          ? (name, args, base, interrupt) => tools.call(name, args, base, interrupt)
          : (name, args, base, interrupt) => tools.invoke(name, args, { ...base, logger: base.logger(), signal: interrupt.signal }),
    };
    // Chosen in start(), once every summariser is contributed; extractive until then.
    const summarizerFor = { choose: (_chain: readonly string[]): HistorySummarizer => extractiveSummarizer };
    const resolver = new AgentResolver({
      tools: () => tools.list(),
      hasModel: (name) => router.names().includes(name),
      modelNames: () => router.names(),
    });
    const runtime = new Runtime(services, resolver, { maxConcurrentRuns: config.maxConcurrentRuns, maxInputChars: config.maxInputChars });
    keep(context, { runtime, policyActive, policy: deps.policy, exporters, summarizerFor, models: () => router.list() });
    context.provide(ports.runs, runtime);
  },
  start(context) {
    const { runtime, policyActive, policy, exporters, summarizerFor, models } = kept<RuntimeMade>(context);
    for (const point of Object.keys(policyActive)) policyActive[point] = policy.active?.(point as PolicyPoint) ?? true;
    summarizerFor.choose = summarizerChooser((context.config as RuntimeConfig).summarizer, context.contributions(summarizers), models);
    runtime.loadPresets(context.contributions(extensionPoints.presets));
    exporters.load(context.contributions(extensionPoints.exporters));
  },
  async stop(context) {
    const { runtime, exporters } = kept<RuntimeMade>(context);
    await runtime.stop();
    // Every run has recorded its end: the exporters have had their last envelope.
    await exporters.shutdown();
  },
});

interface RuntimeMade {
  readonly runtime: Runtime;
  readonly summarizerFor: { choose: (chain: readonly string[]) => HistorySummarizer };
  readonly models: () => readonly ModelInfo[];
  readonly policyActive: Record<string, boolean>;
  readonly policy: PolicyPort;
  readonly exporters: EventExporters;
}

/** The runtime's four plugins, in the order they depend on each other. */
export function runtimePlugins(): Plugin[] {
  return [modelsPlugin, toolRegistryPlugin, policyChainPlugin, runtimePlugin];
}
