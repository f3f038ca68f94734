import type { MigrationObject } from '@mikro-orm/core';
import type { Dialect } from '../schema/entities.js';
import { PostgresInitial } from './postgres/0001-initial.js';
import { PostgresRagIndex } from './postgres/0002-rag-index.js';
import { PostgresOrgKeyedSessions } from './postgres/0003-org-keyed-sessions.js';
import { SqliteInitial } from './sqlite/0001-initial.js';
import { SqliteRagIndex } from './sqlite/0002-rag-index.js';
import { SqliteOrgKeyedSessions } from './sqlite/0003-org-keyed-sessions.js';

/** The table where the migrator records what it applied. */
export const MIGRATIONS_TABLE = 'agent_sdk_migrations';

/**
 * The migrations of each dialect, in order. They are imported, not globbed from a folder, so the bundler
 * compiles them into dist/ and the installed CLI runs them with plain node. A new migration is a new class
 * appended to both lists under the same name (SQLite and Postgres need different DDL).
 */
const migrations: Record<Dialect, MigrationObject[]> = {
  sqlite: [
    { name: '0001_initial', class: SqliteInitial },
    { name: '0002_rag_index', class: SqliteRagIndex },
    { name: '0003_org_keyed_sessions', class: SqliteOrgKeyedSessions },
  ],
  postgres: [
    { name: '0001_initial', class: PostgresInitial },
    { name: '0002_rag_index', class: PostgresRagIndex },
    { name: '0003_org_keyed_sessions', class: PostgresOrgKeyedSessions },
  ],
};

export function migrationsFor(dialect: Dialect): MigrationObject[] {
  return migrations[dialect];
}

/** Names of every migration this version knows, in order. */
export function knownMigrations(dialect: Dialect): string[] {
  return migrations[dialect].map((m) => m.name);
}
