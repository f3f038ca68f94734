import { isAbsolute, resolve as resolvePath } from 'node:path';
import { problem, type Problem } from '../errors/agent-sdk-error.js';
import type { Plugin } from '../plugin.js';
import { deepFreeze } from '../util/deep-freeze.js';
import { didYouMean } from '../util/suggest.js';
import { applyEnvOverrides } from './env-overrides.js';
import { interpolate } from './interpolate.js';
import { KERNEL_SECTIONS, KernelSection, PluginsSection } from './kernel-config.js';
import type { ConfigSource } from './load.js';
import { loadPluginModules } from './plugin-modules.js';
import { validateValue } from './validate.js';

export interface ResolvedConfig {
  readonly kernel: Readonly<KernelSection> & { readonly dataDir: string };
  /** Enabled plugins, registration order. */
  readonly plugins: readonly Plugin[];
  /** Plugins left out by `plugins.disable`. */
  readonly disabled: readonly Plugin[];
  /** Each enabled plugin's validated, frozen slice. */
  readonly slices: ReadonlyMap<string, unknown>;
  readonly problems: readonly Problem[];
}

/**
 * Turns a config source into validated slices: interpolation, `plugins.load`, `plugins.disable`, the
 * `AGENT_SDK_*` overrides, unknown top-level keys, and each plugin's schema. Collects every problem.
 */
export async function resolveConfig(options: {
  source: ConfigSource;
  env: Readonly<Record<string, string | undefined>>;
  plugins: readonly Plugin[];
}): Promise<ResolvedConfig> {
  const { source, env } = options;
  const interpolated = interpolate(source.raw, { env, baseDir: source.baseDir });
  const problems: Problem[] = [...interpolated.problems];
  let raw = interpolated.value as Record<string, unknown>;

  const pluginsSection = validateValue(PluginsSection, raw.plugins ?? {}, 'plugins');
  problems.push(...pluginsSection.problems);
  const { load, disable } = pluginsSection.value as PluginsSection;
  const loaded = pluginsSection.problems.length ? { plugins: [], problems: [] } : await loadPluginModules(load, source.baseDir);
  problems.push(...loaded.problems);

  const all = [...options.plugins, ...loaded.plugins];
  const known = new Set(all.map((p) => p.id));
  disable.forEach((id, index) => {
    if (!known.has(id)) problems.push(problem('ASDK_PLUGIN_UNKNOWN', { id, suggestion: didYouMean(id, known) }, { path: `plugins.disable[${index}]` }));
  });
  const plugins = all.filter((p) => !disable.includes(p.id));
  const disabled = all.filter((p) => disable.includes(p.id));

  const sections = new Set<string>([...KERNEL_SECTIONS, ...plugins.map((p) => p.id)]);
  const overridden = applyEnvOverrides(raw, env, sections);
  problems.push(...overridden.problems);
  raw = overridden.value;

  const kernelSection = validateValue(KernelSection, raw.kernel ?? {}, 'kernel', { coercible: interpolated.coercible });
  problems.push(...kernelSection.problems);
  const kernel = kernelSection.value as KernelSection;

  // A disabled plugin's section stays valid (not checked), so a file can switch a plugin off without deleting it.
  const disabledIds = new Set(disabled.map((p) => p.id));
  for (const key of Object.keys(raw)) {
    if (sections.has(key) || disabledIds.has(key) || key === '$schema') continue;
    problems.push(problem('ASDK_CONFIG_UNKNOWN_KEY', { key, suggestion: didYouMean(key, sections) }, { path: key }));
  }

  const slices = new Map<string, unknown>();
  for (const plugin of plugins) {
    const given = raw[plugin.id];
    if (!plugin.config) {
      if (given !== undefined && !(typeof given === 'object' && given !== null && Object.keys(given).length === 0)) {
        problems.push(problem('ASDK_CONFIG_UNKNOWN_KEY', { key: plugin.id, suggestion: '; that plugin takes no configuration' }, { path: plugin.id, plugin: plugin.id }));
      }
      slices.set(plugin.id, deepFreeze({}));
      continue;
    }
    const result = validateValue(plugin.config, given ?? {}, plugin.id, { plugin: plugin.id, coercible: interpolated.coercible });
    problems.push(...result.problems);
    slices.set(plugin.id, deepFreeze(result.value));
  }

  const dataDir = isAbsolute(kernel.dataDir) ? kernel.dataDir : resolvePath(source.baseDir, kernel.dataDir);
  return { kernel: deepFreeze({ ...kernel, dataDir }), plugins, disabled, slices, problems };
}
