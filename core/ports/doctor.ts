import type { ContributedItem, KernelInfo } from '../plugin.js';
import type { ExtensionPoint } from '../extension-point.js';

/** What a doctor check receives: config and facts only; no plugin has been initialised. */
export interface DoctorCheckContext {
  /** The contributing plugin's validated config slice (defaults applied). */
  readonly config: unknown;
  /** Another enabled plugin's validated slice, or undefined. */
  section(pluginId: string): unknown;
  /** Static contributions of every enabled plugin to a point (e.g. the model providers). */
  contributions<T>(point: ExtensionPoint<T>): readonly ContributedItem<T>[];
  readonly kernel: KernelInfo;
  /** `doctor --online`: checks may reach the network (a model provider's endpoint, ...). */
  readonly online: boolean;
  /** Aborts when the check runs out of time. */
  readonly signal: AbortSignal;
}

export interface DoctorCheckResult {
  /** Defaults to the check's name; a check may report several lines (one per configured model, ...). */
  readonly name?: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly hint?: string;
}

/**
 * A check `agent-sdk doctor` runs, contributed statically (`contributes`) to `extensionPoints.doctorChecks`
 * by the plugin it belongs to: storage reachable and migrated, a port free, a folder writable, a key present.
 * It must not change anything it checks (no migrations, no files left behind).
 *
 * @example
 * ```ts
 * const cacheReachable: DoctorCheck = {
 *   name: 'cache',
 *   async run({ config }) {
 *     return { ok: true, detail: `reachable at ${(config as { url: string }).url}` };
 *   },
 * };
 * definePlugin({ id: 'cache', version: '1.0.0', contributes: [contribution(extensionPoints.doctorChecks, cacheReachable)] });
 * ```
 */
export interface DoctorCheck {
  readonly name: string;
  run(context: DoctorCheckContext): Promise<DoctorCheckResult | readonly DoctorCheckResult[]>;
}
