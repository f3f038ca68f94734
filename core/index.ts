/**
 * The kernel's public surface: what plugin authors and embedders import. Concrete adapters and plugins
 * live outside core/ and are wired in by the composition root (the package entry and the CLI).
 */
export { Kernel, type KernelOptions, type KernelReport, type KernelState } from './kernel.js';
export {
  definePlugin,
  type ContributedItem,
  type KernelInfo,
  type Plugin,
  type PluginContext,
  type PluginDefinition,
  type PortMap,
} from './plugin.js';
export { contribution, createExtensionPoint, type Contribution, type ExtensionPoint } from './extension-point.js';
export { extensionPoints } from './extensions.js';
export * from './ports/index.js';
export * from './events/envelope.js';
export type { EventExporter } from './events/exporter.js';
export * from './runtime/index.js';
export {
  AgentSdkError,
  formatProblem,
  isAgentSdkError,
  problem,
  sdkError,
  type AgentSdkErrorOptions,
  type Problem,
} from './errors/agent-sdk-error.js';
export { errorCodes, errorGroups, type ErrorCode, type ErrorSpec } from './errors/registry.js';
export { CONFIG_FILE_NAMES, findConfigFile, readConfigSource, type ConfigSource } from './config/load.js';
export { envOverrides, type EnvOverride } from './config/env-overrides.js';
export { KernelSection, PluginsSection } from './config/kernel-config.js';
export { describeSchema, describeValue, validateValue } from './config/validate.js';
export { createJsonLogger, envSecrets, systemClock } from './defaults.js';
export { suggest, didYouMean } from './util/suggest.js';
export { cutAtCodePoint } from './util/code-points.js';
export { describeThrown } from './util/describe-thrown.js';
