import { definePlugin, ports } from '../../core/index.js';
import { createMemoryStorage } from './memory-storage.js';

export { createMemoryStorage, type MemoryStorage, type MemoryStorageOptions } from './memory-storage.js';

/**
 * Storage in memory: nothing is persisted. Used by tests (`startTestKernel`), benchmarks, and embedders
 * who keep their own records.
 *
 * @example
 * ```ts
 * const kernel = await createKernel({ config: { plugins: { disable: ['storage-sqlite'] } }, plugins: [memoryStoragePlugin] });
 * ```
 */
export const memoryStoragePlugin = definePlugin({
  id: 'storage-memory',
  version: '1.0.0',
  description: 'Storage held in memory (nothing persisted)',
  provides: [ports.storage],
  init({ provide }) {
    provide(ports.storage, createMemoryStorage());
  },
});

export default memoryStoragePlugin;
