/**
 * A typed reference to a port: `resolve(ports.storage)` is typed without a cast.
 * A single port has one provider; a multiple port collects one implementation from each provider.
 *
 * @example
 * ```ts
 * export const cachePort = createPortRef<Cache>({ id: 'acme.cache', description: 'A shared cache' });
 * ```
 */
export interface PortRef<T> {
  readonly kind: 'port';
  readonly id: string;
  readonly multiple: false;
  readonly description?: string;
  /** Type carrier only; never set at runtime. */
  readonly __type?: T;
}

/** A port with several providers; resolving it gives every implementation, in start order. */
export interface MultiPortRef<T> {
  readonly kind: 'port';
  readonly id: string;
  readonly multiple: true;
  readonly description?: string;
  readonly __type?: T;
}

export type AnyPortRef = PortRef<any> | MultiPortRef<any>;

/** The value a dependency resolves to: T for a single port, readonly T[] for a multiple one. */
export type PortValue<R> = R extends MultiPortRef<infer T> ? readonly T[] : R extends PortRef<infer T> ? T : never;
/** The implementation a provider gives for a port. */
export type PortImpl<R> = R extends MultiPortRef<infer T> ? T : R extends PortRef<infer T> ? T : never;

const PORT_ID = /^[a-z][a-z0-9-]*(\.[a-zA-Z][a-zA-Z0-9-]*)+$/;

export function createPortRef<T>(options: { id: string; description?: string }): PortRef<T> {
  assertPortId(options.id);
  return Object.freeze({ kind: 'port', id: options.id, multiple: false, description: options.description });
}

export function createMultiPortRef<T>(options: { id: string; description?: string }): MultiPortRef<T> {
  assertPortId(options.id);
  return Object.freeze({ kind: 'port', id: options.id, multiple: true, description: options.description });
}

function assertPortId(id: string): void {
  if (!PORT_ID.test(id)) throw new TypeError(`Port id "${id}" must look like "namespace.name" (e.g. "core.storage")`);
}
