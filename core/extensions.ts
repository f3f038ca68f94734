import { createExtensionPoint } from './extension-point.js';
import type { EventExporter } from './events/exporter.js';
import type { PresetDefinition } from './ports/agent.js';
import type { DoctorCheck } from './ports/doctor.js';
import type { ModelProvider } from './ports/model.js';
import type { Policy } from './ports/policy.js';
import type { ToolDefinition } from './ports/tool.js';

/**
 * The extension points core owns. Plugins that own other points (the HTTP transport's `routes`) export them
 * from their own module the same way. `exporters` is read by the runtime, which hands each exporter every
 * durable envelope (see {@link EventExporter}).
 */
export const extensionPoints = {
  tools: createExtensionPoint<ToolDefinition<any, any>>({ id: 'core.tools', description: 'Tools offered to agents' }),
  presets: createExtensionPoint<PresetDefinition>({ id: 'core.presets', description: 'Named agents offered to users' }),
  policies: createExtensionPoint<Policy>({ id: 'core.policies', description: 'Policies, consulted in order' }),
  modelProviders: createExtensionPoint<ModelProvider>({ id: 'core.model-providers', description: 'Model providers by name' }),
  exporters: createExtensionPoint<EventExporter>({ id: 'core.exporters', description: 'Receivers of every durable event envelope (logs, metrics, traces)' }),
  doctorChecks: createExtensionPoint<DoctorCheck>({ id: 'core.doctor-checks', description: 'Checks `agent-sdk doctor` runs (static contributions only)' }),
} as const;
