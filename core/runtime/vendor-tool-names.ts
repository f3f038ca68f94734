import { createHash } from 'node:crypto';

/** Tool names as a vendor accepts them, and back. */
export interface VendorToolNames {
  toVendor(name: string): string;
  /** The dotted name a vendor name stands for; an unknown name is returned unchanged. */
  fromVendor(name: string): string;
}

/**
 * Maps dotted tool names (`filesystem.read`) to names OpenAI and Anthropic accept (`^[a-zA-Z0-9_-]{1,64}$`):
 * `filesystem_read`. Collisions (`a.b` next to `a_b`) get a numbered suffix; long names are cut and given a
 * short hash, so the mapping is one-to-one for the tools of one request.
 *
 * @example
 * ```ts
 * const names = vendorToolNames(['filesystem.read']);
 * names.toVendor('filesystem.read'); // 'filesystem_read'
 * names.fromVendor('filesystem_read'); // 'filesystem.read'
 * ```
 */
export function vendorToolNames(names: readonly string[], maxLength = 64): VendorToolNames {
  const forward = new Map<string, string>();
  const backward = new Map<string, string>();
  for (const name of names) {
    if (forward.has(name)) continue;
    let candidate = name.replace(/[^a-zA-Z0-9_-]/g, '_');
    if (candidate.length > maxLength) candidate = `${candidate.slice(0, maxLength - 9)}_${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
    if (!candidate) candidate = 'tool';
    let unique = candidate;
    for (let n = 2; backward.has(unique); n++) unique = `${candidate.slice(0, maxLength - String(n).length - 1)}_${n}`;
    forward.set(name, unique);
    backward.set(unique, name);
  }
  return {
    toVendor: (name) => forward.get(name) ?? name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, maxLength),
    fromVendor: (name) => backward.get(name) ?? name,
  };
}
