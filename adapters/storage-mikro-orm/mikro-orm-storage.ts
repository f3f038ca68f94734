import type { MikroORM } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import { DEFAULT_ORG_ID, sdkError, type Logger, type MetricsPort, type StoragePort } from '../../core/index.js';
import { describeTarget, type StorageOptions, type StorageTarget } from './config.js';
import { SqlEventLog } from './event-log/event-log.js';
import { migrateDown, migrateUp, migrationState, type MigrationState } from './migrator.js';
import { closeOrm, openOrm, type OrmHandle } from './open-orm.js';
import { apiKeyRepository } from './repositories/api-keys.js';
import { auditRepository } from './repositories/audit.js';
import { documentRepository } from './repositories/documents.js';
import { idempotencyRepository } from './repositories/idempotency.js';
import { messageRepository } from './repositories/messages.js';
import { orgRepository } from './repositories/orgs.js';
import { runRepository } from './repositories/runs.js';
import { sessionRepository } from './repositories/sessions.js';
import { usageRepository } from './repositories/usage.js';
import { userRepository } from './repositories/users.js';
import type { Dialect } from './schema/entities.js';
import { StoreContext } from './store-context.js';

/** The storage port on MikroORM, plus what operators and sibling adapters need. */
export interface MikroOrmStorage extends StoragePort {
  readonly dialect: Dialect;
  readonly target: StorageTarget;
  /** The ORM instance (fork its `em`, never use it directly) and its knex: for sub-ports built on this database. */
  readonly orm: MikroORM;
  readonly knex: Knex;
  /** Applied, pending and unknown migrations. */
  migrations(): Promise<MigrationState>;
  /** Applies pending migrations (one transaction; Postgres: under an advisory lock), then ensures the default org. */
  migrateUp(): Promise<string[]>;
  /** Reverts the newest applied migration: its tables and their data are dropped. Returns its name. */
  migrateDown(): Promise<string | undefined>;
  /** Waits for pending appends, then closes the connection pool. Idempotent. */
  close(): Promise<void>;
}

export interface OpenStorageOptions extends StorageOptions {
  /**
   * What to do about migrations when opening: `auto` applies pending ones; `check` refuses to open with
   * pending ones (naming the command); `none` skips both (the migrate command). Default: `auto` when
   * `autoMigrate`, else `check`.
   */
  readonly migrate?: 'auto' | 'check' | 'none';
  /** The command that applies migrations, as the error message should show it. */
  readonly migrateCommand?: string;
  /** Milliseconds since the epoch; default Date.now. */
  readonly clock?: () => number;
  readonly logger?: Logger;
  /** Records the event log's append latency and batch sizes (docs/observability.md). */
  readonly metrics?: MetricsPort;
}

/**
 * Opens the storage: connects, brings the schema up to date (or checks it), ensures the default org.
 *
 * @example
 * ```ts
 * const storage = await openMikroOrmStorage({ ...resolveStorageOptions({ path: ':memory:' }, where) });
 * await storage.sessions.create(DEFAULT_ORG, { id: 's1' });
 * await storage.close();
 * ```
 */
export async function openMikroOrmStorage(options: OpenStorageOptions): Promise<MikroOrmStorage> {
  const db = await openOrm(options, options.logger);
  try {
    const mode = options.migrate ?? (options.autoMigrate ? 'auto' : 'check');
    if (mode !== 'none') await prepareSchema(db, mode, options);
    const storage = createStorage(db, options);
    if (mode !== 'none') await storage.orgs.ensure({ id: DEFAULT_ORG_ID, name: 'Default' });
    return storage;
  } catch (error) {
    await closeOrm(db, options.logger);
    throw error;
  }
}

async function prepareSchema(db: OrmHandle, mode: 'auto' | 'check', options: OpenStorageOptions): Promise<void> {
  const state = await migrationState(db);
  const target = describeTarget(db.target);
  if (state.unknown.length) throw sdkError('ASDK_STORAGE_SCHEMA_AHEAD', { adapter: db.dialect, target, names: state.unknown });
  if (!state.pending.length) return;
  if (mode === 'check') {
    throw sdkError('ASDK_STORAGE_MIGRATIONS_PENDING', {
      adapter: db.dialect,
      target,
      count: state.pending.length,
      names: state.pending,
      command: options.migrateCommand ?? 'agent-sdk migrate up',
    });
  }
  const applied = await migrateUp(db);
  options.logger?.info('storage migrated', { adapter: db.dialect, target, applied });
}

function createStorage(db: OrmHandle, options: OpenStorageOptions): MikroOrmStorage {
  const ctx = new StoreContext(db, options.clock ?? Date.now);
  const events = new SqlEventLog(ctx, { maxBatchRows: options.eventBatchRows, logger: options.logger, metrics: options.metrics });
  let closing: Promise<void> | undefined;
  const storage: MikroOrmStorage = {
    dialect: db.dialect,
    target: db.target,
    orm: db.orm,
    knex: db.knex,
    orgs: orgRepository(ctx),
    users: userRepository(ctx),
    apiKeys: apiKeyRepository(ctx),
    sessions: sessionRepository(ctx, (runIds) => events.forgetRuns(runIds)),
    runs: runRepository(ctx),
    events,
    messages: messageRepository(ctx),
    documents: documentRepository(ctx),
    audit: auditRepository(ctx),
    usage: usageRepository(ctx),
    idempotency: idempotencyRepository(ctx),
    async flush() {
      await events.flush();
      await ctx.writes.flush();
    },
    migrations: () => migrationState(db),
    async migrateUp() {
      ctx.assertOpen('migrate up');
      const applied = await migrateUp(db);
      await storage.orgs.ensure({ id: DEFAULT_ORG_ID, name: 'Default' });
      return applied;
    },
    migrateDown() {
      ctx.assertOpen('migrate down');
      return migrateDown(db);
    },
    async health() {
      const adapter = db.dialect;
      const detail = describeTarget(db.target);
      try {
        ctx.assertOpen('health');
        const connection = await db.orm.checkConnection();
        if (!connection.ok) return { ok: false, adapter, detail: `${detail}: ${connection.reason}` };
        const state = await migrationState(db);
        const pendingMigrations = state.pending.length;
        return { ok: pendingMigrations === 0 && !state.unknown.length, adapter, detail, pendingMigrations };
      } catch (error) {
        return { ok: false, adapter, detail: `${detail}: ${(error as Error).message}` };
      }
    },
    close() {
      closing ??= (async () => {
        await events.flush();
        await ctx.writes.flush();
        ctx.close();
        await closeOrm(db, options.logger);
      })();
      return closing;
    },
  };
  return storage;
}

/** Whether a storage port is this adapter's (sibling adapters then reach its SQL connection). */
export function isMikroOrmStorage(storage: unknown): storage is MikroOrmStorage {
  const candidate = storage as Partial<MikroOrmStorage> | null;
  return typeof candidate === 'object' && candidate !== null && (candidate.dialect === 'sqlite' || candidate.dialect === 'postgres') && typeof candidate.knex === 'function';
}
