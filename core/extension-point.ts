/**
 * A typed extension point: plugins contribute items (tools, presets, routes, ...), and the plugin that owns
 * the point reads them all in start(). Contributions are made in init() or declared statically.
 *
 * @example
 * ```ts
 * export const widgets = createExtensionPoint<Widget>({ id: 'acme.widgets' });
 * definePlugin({ id: 'my-widgets', version: '1.0.0', contributes: [contribution(widgets, myWidget)] });
 * ```
 */
export interface ExtensionPoint<T> {
  readonly kind: 'extension-point';
  readonly id: string;
  readonly description?: string;
  readonly __type?: T;
}

/** A static contribution, made by the kernel before the plugin's init runs. */
export interface Contribution<T = unknown> {
  readonly point: ExtensionPoint<T>;
  readonly items: readonly T[];
}

export function createExtensionPoint<T>(options: { id: string; description?: string }): ExtensionPoint<T> {
  return Object.freeze({ kind: 'extension-point', id: options.id, description: options.description });
}

export function contribution<T>(point: ExtensionPoint<T>, ...items: T[]): Contribution<T> {
  return Object.freeze({ point: point as ExtensionPoint<unknown>, items: Object.freeze(items) }) as Contribution<T>;
}
