// Opens the MikroORM storage for tests (the contract suite and the crash child) from a small options object.
import { openMikroOrmStorage, resolveStorageOptions, type StorageConfig } from '../../adapters/storage-mikro-orm/index.js';
import type { StorageHandle } from './contract.js';

export async function openMikroOrmForTest(config: Partial<StorageConfig>): Promise<StorageHandle> {
  const options = resolveStorageOptions(config, { dataDir: process.cwd(), baseDir: process.cwd(), env: {} });
  const storage = await openMikroOrmStorage({ ...options, migrate: 'auto' });
  return { storage, close: () => storage.close() };
}
