// A fresh Postgres database per test run, on the server AGENT_SDK_TEST_PG_URL names; dropped afterwards.
import { randomBytes } from 'node:crypto';
import { knex } from '@mikro-orm/knex';

export const testPgUrl = process.env.AGENT_SDK_TEST_PG_URL;

/** The skip line the test runner shows when Postgres is not configured. */
export const PG_SKIP = '[skip] Postgres tests: AGENT_SDK_TEST_PG_URL is not set (e.g. postgres://root@127.0.0.1:5432/test; .ci/run sets it)';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** Creates `asdk_test_<random>` next to the database of AGENT_SDK_TEST_PG_URL. */
export async function createTestDatabase(baseUrl: string): Promise<TestDatabase> {
  const name = `asdk_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = knex({ client: 'pg', connection: baseUrl, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`create database "${name}"`);
  } finally {
    await admin.destroy();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const conn = knex({ client: 'pg', connection: baseUrl, pool: { min: 0, max: 1 } });
      try {
        await conn.raw(`drop database if exists "${name}" with (force)`);
      } finally {
        await conn.destroy();
      }
    },
  };
}
