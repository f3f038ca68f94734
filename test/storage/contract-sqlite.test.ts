// The storage contract on SQLite: in memory, and on a file (with reopen, a second writer and the crash test).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storageContract } from './contract.js';
import { openMikroOrmForTest } from './open-mikro-orm.js';

storageContract('sqlite :memory:', async () => ({
  persistent: false,
  open: () => openMikroOrmForTest({ path: ':memory:' }),
  dispose: async () => {},
})).run();

storageContract('sqlite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'asdk-contract-'));
  const options = { path: join(dir, 'agent-sdk.sqlite') };
  return {
    persistent: true,
    open: () => openMikroOrmForTest(options),
    child: { module: 'test/storage/open-mikro-orm.ts', exportName: 'openMikroOrmForTest', options },
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}).run();
