import type { Transaction } from '@mikro-orm/core';
import { sdkError } from '../../core/index.js';
import { describeTarget } from './config.js';
import { knownMigrations } from './migrations/index.js';
import type { OrmHandle } from './open-orm.js';

/** Where the database stands against the migrations this version ships. */
export interface MigrationState {
  /** Applied, oldest first, with when. */
  readonly executed: readonly { readonly name: string; readonly executedAt?: string }[];
  /** Shipped and not applied yet, in order. */
  readonly pending: readonly string[];
  /** Applied but unknown to this version: the database was migrated by a newer agent-sdk. */
  readonly unknown: readonly string[];
}

/** Key of the Postgres advisory lock that serialises migrators (several nodes starting at once). */
const MIGRATION_LOCK_KEY = 0x41_53_44_4b; // "ASDK"

export async function migrationState(db: OrmHandle): Promise<MigrationState> {
  try {
    const migrator = db.orm.migrator;
    const executed = (await migrator.getExecutedMigrations()).map((m) => ({
      name: m.name,
      executedAt: m.executed_at ? new Date(m.executed_at as unknown as string).toISOString() : undefined,
    }));
    const known = new Set(knownMigrations(db.dialect));
    const done = new Set(executed.map((m) => m.name));
    return {
      executed,
      pending: knownMigrations(db.dialect).filter((name) => !done.has(name)),
      unknown: executed.map((m) => m.name).filter((name) => !known.has(name)),
    };
  } catch (error) {
    throw failed(db, 'status', error);
  }
}

/** Applies every pending migration, all in one transaction; returns their names. */
export async function migrateUp(db: OrmHandle): Promise<string[]> {
  await refuseNewerSchema(db);
  try {
    const migrator = db.orm.migrator;
    if (db.dialect === 'postgres') {
      // Holding the advisory lock for the transaction makes a second migrator wait, then find nothing pending.
      return await db.orm.em.getConnection().transactional(async (trx: Transaction) => {
        await db.knex.raw('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY]).transacting(trx as never);
        return (await migrator.up({ transaction: trx })).map((m) => m.name);
      });
    }
    return (await migrator.up()).map((m) => m.name);
  } catch (error) {
    throw failed(db, 'up', error);
  }
}

/** Reverts the newest applied migration (its `down()` drops what it created: data is lost); returns its name. */
export async function migrateDown(db: OrmHandle): Promise<string | undefined> {
  await refuseNewerSchema(db);
  try {
    const reverted = await db.orm.migrator.down();
    return reverted[0]?.name;
  } catch (error) {
    throw failed(db, 'down', error);
  }
}

async function refuseNewerSchema(db: OrmHandle): Promise<void> {
  const state = await migrationState(db);
  if (state.unknown.length) {
    throw sdkError('ASDK_STORAGE_SCHEMA_AHEAD', { adapter: db.dialect, target: describeTarget(db.target), names: state.unknown });
  }
}

function failed(db: OrmHandle, direction: string, error: unknown) {
  const reason = (error as Error)?.message?.split('\n')[0] ?? String(error);
  return sdkError('ASDK_STORAGE_MIGRATION_FAILED', { direction, adapter: db.dialect, target: describeTarget(db.target), reason }, { cause: error });
}
