import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { problem, type Problem } from '../errors/agent-sdk-error.js';
import type { Plugin } from '../plugin.js';

/**
 * Imports the modules listed in `plugins.load`: paths (relative to the config file) or package names
 * (resolved from the config file's folder). A module exports a plugin, or an array of them, as default,
 * `plugin` or `plugins`.
 */
export async function loadPluginModules(specifiers: readonly string[], baseDir: string): Promise<{ plugins: Plugin[]; problems: Problem[] }> {
  const plugins: Plugin[] = [];
  const problems: Problem[] = [];
  for (const [index, specifier] of specifiers.entries()) {
    const path = `plugins.load[${index}]`;
    try {
      const url = specifier.startsWith('.') || isAbsolute(specifier)
        ? pathToFileURL(resolve(baseDir, specifier)).href
        : pathToFileURL(createRequire(join(baseDir, 'noop.js')).resolve(specifier)).href;
      const module = (await import(url)) as Record<string, unknown>;
      const exported = module.default ?? module.plugins ?? module.plugin;
      const list = (Array.isArray(exported) ? exported : [exported]) as unknown[];
      const valid = list.filter(isPlugin);
      if (!valid.length || valid.length !== list.length) {
        problems.push(problem('ASDK_PLUGIN_LOAD_FAILED', { specifier, reason: 'it exports no plugin made with definePlugin()' }, { path }));
        continue;
      }
      plugins.push(...valid);
    } catch (error) {
      problems.push(problem('ASDK_PLUGIN_LOAD_FAILED', { specifier, reason: (error as Error).message }, { path }));
    }
  }
  return { plugins, problems };
}

function isPlugin(value: unknown): value is Plugin {
  return typeof value === 'object' && value !== null && typeof (value as Plugin).id === 'string' && typeof (value as Plugin).version === 'string';
}
