import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import type { EntityManager, Knex } from '@mikro-orm/knex';
import { Migrator } from '@mikro-orm/migrations';
import { sdkError, type Logger } from '../../core/index.js';
import { describeTarget, type StorageOptions, type StorageTarget } from './config.js';
import { migrationsFor, MIGRATIONS_TABLE } from './migrations/index.js';
import { defineEntities, type Dialect, type Entities } from './schema/entities.js';

/** An open ORM with what the repositories need: a fresh EntityManager per unit of work, and knex for hot SQL. */
export interface OrmHandle {
  readonly orm: MikroORM;
  readonly dialect: Dialect;
  readonly entities: Entities;
  readonly target: StorageTarget;
  /** A forked EntityManager: one per operation, never the global one. */
  fork(): EntityManager;
  /** The ORM's own knex instance (its connection pool). */
  readonly knex: Knex;
}

/**
 * Opens MikroORM on SQLite or Postgres without decorators, config files, `.env` or `MIKRO_ORM_*` variables
 * (all of which `MikroORM.init` would consult), and checks the connection so a wrong URL fails here, named.
 */
export async function openOrm(options: StorageOptions, logger?: Logger): Promise<OrmHandle> {
  const { target } = options;
  const dialect: Dialect = target.adapter;
  const entities = defineEntities(dialect);
  const common: Options = {
    entities: Object.values(entities),
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    ensureDatabase: false,
    allowGlobalContext: false,
    debug: false,
    forceUtcTimezone: true,
    extensions: [Migrator],
    // The RAG index's own tables (FTS5, triggers' targets, pgvector) have no entities: keep them out of the diff.
    schemaGenerator: { skipTables: [/^rag_/] },
    migrations: {
      migrationsList: migrationsFor(dialect),
      tableName: MIGRATIONS_TABLE,
      snapshot: false,
      silent: true,
      transactional: true,
      allOrNothing: true,
    },
    logger: (message) => logger?.debug('mikro-orm', { message }),
  };
  let config: Options;
  if (target.adapter === 'sqlite') {
    if (target.file !== ':memory:') {
      try {
        mkdirSync(dirname(target.file), { recursive: true });
      } catch (error) {
        throw connectError(target, error, `Make the folder ${dirname(target.file)} writable, or point storage.path elsewhere.`);
      }
    }
    const { SqliteDriver } = await import('@mikro-orm/sqlite');
    config = { ...common, driver: SqliteDriver, dbName: target.file };
  } else {
    const { PostgreSqlDriver } = await import('@mikro-orm/postgresql');
    config = { ...common, driver: PostgreSqlDriver, clientUrl: target.url, pool: { min: options.pool.min, max: options.pool.max } };
  }

  let orm: MikroORM;
  try {
    orm = new MikroORM(config);
    await orm.discoverEntities();
    orm.em.getPlatform().init(orm);
    await orm.connect();
    for (const extension of orm.config.get('extensions')) extension.register(orm);
  } catch (error) {
    throw connectError(target, error, fixFor(target));
  }
  const knex = (orm.em as unknown as EntityManager).getConnection().getKnex();
  const check = await orm.checkConnection();
  if (!check.ok) {
    await orm.close(true).catch(() => undefined);
    throw connectError(target, check.error ?? new Error(check.reason), fixFor(target));
  }
  if (target.adapter === 'sqlite') {
    try {
      // WAL: readers do not block the writer; synchronous=FULL makes every commit durable before it returns
      // (NORMAL: durable once the process has written it, not across a power loss); busy_timeout lets a second
      // process (the migrate command, a crash-test child) wait for the lock.
      if (target.file !== ':memory:') await knex.raw('pragma journal_mode = WAL');
      await knex.raw(`pragma synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      await knex.raw('pragma busy_timeout = 5000');
    } catch (error) {
      await orm.close(true).catch(() => undefined);
      throw connectError(target, error, fixFor(target));
    }
  }
  return {
    orm,
    dialect,
    entities,
    target,
    knex,
    fork: () => orm.em.fork() as unknown as EntityManager,
  };
}

function fixFor(target: StorageTarget): string {
  if (target.adapter === 'sqlite') {
    return `Check that ${target.file} is a SQLite database (or does not exist yet) and that its folder is writable; another storage.path gives a fresh database.`;
  }
  return 'Check that PostgreSQL is running at the host and port of the URL and that its user, password and database are right (storage.url, AGENT_SDK_DATABASE_URL or DATABASE_URL); the database must exist (createdb <name>).';
}

function connectError(target: StorageTarget, error: unknown, fix: string) {
  const reason = error instanceof Error ? error.message || (error as NodeJS.ErrnoException).code || error.name : String(error);
  return sdkError('ASDK_STORAGE_CONNECT', { adapter: target.adapter, target: describeTarget(target), reason, fix }, { cause: error });
}

/** Closes the ORM and its pool; errors while closing are not worth more than a log line. */
export async function closeOrm(handle: OrmHandle, logger?: Logger): Promise<void> {
  try {
    await handle.orm.close();
  } catch (error) {
    logger?.warn('closing the database failed', { error: (error as Error).message });
  }
}
