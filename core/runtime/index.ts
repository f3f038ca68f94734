/**
 * The agent runtime: the loop, the model router, the tool registry, the policy chain and the live event
 * bus, as plugins (`runtimePlugins()`) over the kernel's ports. Vendor-free: model providers and storage
 * come from adapters.
 */
export { runtimePlugins, modelsPlugin, toolRegistryPlugin, policyChainPlugin, runtimePlugin, RuntimeConfig } from './runtime-plugins.js';
export { ModelRouter, type ModelRouterOptions } from './model-router.js';
export { ModelsConfig, ModelEntry, ModelRetryConfig, ModelPrice, backoffDelay } from './model-config.js';
export { ToolRegistry, DEFAULT_TOOL_TIMEOUT_MS, type ToolCallBase } from './tool-registry.js';
export { PolicyChain } from './policy-chain.js';
export { Runtime } from './runtime.js';
export { createMemoryEventBus } from './memory-event-bus.js';
export { RunEventIterator, isEvent } from './event-subscription.js';
export { AgentDefinitionSchema, PresetConfigSchema, SubAgentSchema, RunLimitsSchema, MemoryPolicySchema, agentDefinitionProblems } from './agent-schema.js';
export { matchesPattern, DelegationInput } from './agent-resolver.js';
export { compactHistory, estimateTokens, extractiveSummary } from './history.js';
export { compactSession, type SessionCompaction } from './compaction.js';
export { summarizers, extractiveSummarizer, modelSummarizer, summaryPrompt, type HistorySummarizer, type SummaryRequest } from './summarizer.js';
export { quoteOf } from './citations.js';
export { RunInterrupted } from './interrupt.js';
export { vendorToolNames, type VendorToolNames } from './vendor-tool-names.js';
