import { problem, type Problem } from './errors/agent-sdk-error.js';
import type { Plugin } from './plugin.js';
import type { AnyPortRef } from './ports/port-ref.js';
import { didYouMean } from './util/suggest.js';

/** The plugin id shown as the provider of the kernel's default ports. */
export const KERNEL_PROVIDER = 'kernel';

export interface GraphCheck {
  /** Plugins in dependency order (providers before users), registration order otherwise. */
  readonly order: readonly Plugin[];
  readonly problems: readonly Problem[];
  /** Port id -> ids of the plugins providing it. */
  readonly providers: ReadonlyMap<string, readonly string[]>;
}

/**
 * Checks the whole plugin graph before anything is built: duplicate ids, unknown plugins, ports nobody
 * provides, single ports with two providers, and cycles. Every problem is reported, not just the first.
 */
export function checkGraph(plugins: readonly Plugin[], options: { defaults: readonly AnyPortRef[]; disabled: readonly Plugin[] }): GraphCheck {
  const problems: Problem[] = [];
  const byId = new Map<string, Plugin>();
  for (const plugin of plugins) {
    if (byId.has(plugin.id)) problems.push(problem('ASDK_PLUGIN_DUPLICATE', { id: plugin.id }, { plugin: plugin.id }));
    else byId.set(plugin.id, plugin);
  }
  const unique = [...byId.values()];

  const providers = new Map<string, string[]>();
  const refs = new Map<string, AnyPortRef>();
  for (const plugin of unique) {
    for (const port of plugin.provides ?? []) {
      refs.set(port.id, port);
      const list = providers.get(port.id) ?? [];
      list.push(plugin.id);
      providers.set(port.id, list);
    }
  }
  for (const [portId, ids] of providers) {
    if (ids.length > 1 && !refs.get(portId)!.multiple) {
      problems.push(problem('ASDK_PORT_CONFLICT', { port: portId, first: ids[0], second: ids[1] }, { plugin: ids[1] }));
    }
  }
  const defaultIds = new Set(options.defaults.map((port) => port.id));

  const edges = new Map<string, Set<string>>();
  for (const plugin of unique) {
    const needs = new Set<string>();
    for (const port of Object.values<AnyPortRef>(plugin.requires ?? {})) {
      const ids = providers.get(port.id);
      if (ids) ids.forEach((id) => needs.add(id));
      else if (!defaultIds.has(port.id) && !port.multiple) {
        const offeredBy = options.disabled.filter((p) => p.provides?.some((provided) => provided.id === port.id)).map((p) => p.id);
        const disabled = offeredBy.length ? ` (${offeredBy.join(', ')} would, but plugins.disable leaves it out)` : '';
        problems.push(problem('ASDK_PORT_MISSING', { plugin: plugin.id, port: port.id, disabled }, { plugin: plugin.id }));
      }
    }
    for (const port of Object.values<AnyPortRef>(plugin.optional ?? {})) providers.get(port.id)?.forEach((id) => needs.add(id));
    for (const id of plugin.dependsOn ?? []) {
      if (byId.has(id)) needs.add(id);
      else {
        const disabled = options.disabled.some((p) => p.id === id);
        const suggestion = disabled ? '; it is disabled in plugins.disable' : didYouMean(id, byId.keys());
        problems.push(problem('ASDK_PLUGIN_UNKNOWN', { id, suggestion }, { plugin: plugin.id, path: `${plugin.id}.dependsOn` }));
      }
    }
    needs.delete(plugin.id);
    edges.set(plugin.id, needs);
  }

  for (const cycle of findCycles(unique.map((p) => p.id), edges)) {
    problems.push(problem('ASDK_PLUGIN_CYCLE', { cycle: cycle.map((id) => `'${id}'`).join(' -> ') }, { plugin: cycle[0] }));
  }

  return { order: problems.length ? unique : topologicalOrder(unique, edges), problems, providers };
}

/** Kahn's algorithm, taking ready plugins in registration order so the result is stable. */
function topologicalOrder(plugins: readonly Plugin[], edges: ReadonlyMap<string, ReadonlySet<string>>): Plugin[] {
  const done = new Set<string>();
  const order: Plugin[] = [];
  while (order.length < plugins.length) {
    const next = plugins.find((p) => !done.has(p.id) && [...edges.get(p.id)!].every((dep) => done.has(dep)));
    if (!next) break;
    done.add(next.id);
    order.push(next);
  }
  return order;
}

/** Every elementary cycle reachable by depth-first search, each reported once, closed: a -> b -> a. */
function findCycles(ids: readonly string[], edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of edges.get(id) ?? []) {
      if (state.get(dep) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(dep)), dep];
        const key = [...cycle.slice(0, -1)].sort().join('|');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of ids) if (!state.has(id)) visit(id);
  return cycles;
}
