// The storage contract on Postgres: a fresh database per run (AGENT_SDK_TEST_PG_URL), dropped afterwards.
import { test } from 'uvu';
import { storageContract } from './contract.js';
import { openMikroOrmForTest } from './open-mikro-orm.js';
import { createTestDatabase, PG_SKIP, testPgUrl } from './postgres-database.js';

if (!testPgUrl) {
  console.log(PG_SKIP);
  test.skip('storage contract: postgres', () => {});
  test.run();
} else {
  storageContract('postgres', async () => {
    const database = await createTestDatabase(testPgUrl!);
    const options = { url: database.url, pool: { min: 0, max: 4 } };
    return {
      persistent: true,
      open: () => openMikroOrmForTest(options),
      child: { module: 'test/storage/open-mikro-orm.ts', exportName: 'openMikroOrmForTest', options },
      dispose: () => database.drop(),
    };
  }).run();
}
