// The storage contract on the in-memory adapter (adapters/storage-memory): nothing persists, so the reopen,
// second-writer and crash tests are skipped (visibly).
import { createMemoryStorage } from '../../adapters/storage-memory/index.js';
import { storageContract } from './contract.js';

storageContract('memory', async () => ({
  persistent: false,
  open: async () => {
    const storage = createMemoryStorage();
    return { storage, close: async () => {} };
  },
  dispose: async () => {},
})).run();
