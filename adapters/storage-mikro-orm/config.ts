import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from 'typebox';
import { sdkError } from '../../core/index.js';

/**
 * The `storage:` section of the config file.
 *
 * @example
 * ```yaml
 * storage:
 *   adapter: postgres
 *   url: ${env:DATABASE_URL}
 * ```
 */
export const StorageConfig = Type.Object(
  {
    adapter: Type.Optional(
      Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')], {
        description: 'sqlite (embedded default) or postgres; inferred from a postgres:// url when not given',
      }),
    ),
    url: Type.Optional(
      Type.String({ minLength: 1, description: 'postgres://user:password@host:port/database, or a SQLite file path (AGENT_SDK_DATABASE_URL sets it)' }),
    ),
    path: Type.Optional(
      Type.String({ minLength: 1, description: 'SQLite file (relative to the config file), or ":memory:"; default <kernel.dataDir>/agent-sdk.sqlite' }),
    ),
    autoMigrate: Type.Optional(
      Type.Boolean({ description: 'Apply pending migrations at start; default true on SQLite, false on Postgres (run `agent-sdk migrate up`)' }),
    ),
    synchronous: Type.Optional(
      Type.Union([Type.Literal('full'), Type.Literal('normal')], {
        description: 'SQLite: full (default) syncs every commit to disk; normal survives a process crash but may lose the last commits on power loss',
      }),
    ),
    pool: Type.Object(
      {
        min: Type.Integer({ minimum: 0, maximum: 100, default: 0 }),
        max: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
      },
      { additionalProperties: false, default: {}, description: 'Postgres connection pool (SQLite always uses one connection)' },
    ),
    eventBatchRows: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 5000,
        description: 'Most events written by one coalesced insert; default 400 on SQLite (its compound-select limit), 2000 on Postgres',
      }),
    ),
  },
  { additionalProperties: false },
);
export type StorageConfig = Static<typeof StorageConfig>;

/** Where the data lives, once the config is resolved against the kernel's folders. */
export type StorageTarget =
  | { readonly adapter: 'sqlite'; readonly file: string }
  | { readonly adapter: 'postgres'; readonly url: string };

/** Everything `openMikroOrmStorage` needs; what the plugin derives from its config slice. */
export interface StorageOptions {
  readonly target: StorageTarget;
  readonly autoMigrate: boolean;
  readonly pool: { readonly min: number; readonly max: number };
  readonly eventBatchRows: number;
  /** SQLite's `pragma synchronous`. */
  readonly synchronous: 'full' | 'normal';
}

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/**
 * Turns the config slice into a target: the adapter (given, or inferred from a postgres:// url), the SQLite
 * file (relative to `baseDir`, default `<dataDir>/agent-sdk.sqlite`) or the Postgres URL (`url`, else
 * `DATABASE_URL`). Contradictions are errors naming the key.
 */
export function resolveStorageOptions(
  config: Partial<StorageConfig>,
  where: { readonly dataDir: string; readonly baseDir: string; readonly env: Readonly<Record<string, string | undefined>> },
): StorageOptions {
  const adapter = config.adapter ?? (config.url && POSTGRES_URL.test(config.url) ? 'postgres' : 'sqlite');
  let target: StorageTarget;
  if (adapter === 'postgres') {
    for (const key of ['path', 'synchronous'] as const) {
      if (config[key] !== undefined) {
        throw configError(`storage.${key}`, `${key} is a SQLite setting but the adapter is postgres`, `Remove storage.${key}, or set storage.adapter: sqlite`);
      }
    }
    const url = config.url ?? where.env.DATABASE_URL;
    if (!url) {
      throw configError('storage.url', 'the postgres adapter needs a database URL', 'Set storage.url (or AGENT_SDK_DATABASE_URL, or DATABASE_URL) to postgres://user:password@host:5432/database');
    }
    if (!POSTGRES_URL.test(url)) {
      throw configError(config.url ? 'storage.url' : 'DATABASE_URL', `"${redactUrl(url)}" is not a postgres:// URL`, 'Write the URL as postgres://user:password@host:5432/database');
    }
    target = { adapter, url };
  } else {
    if (config.url !== undefined && POSTGRES_URL.test(config.url)) {
      throw configError('storage.url', `a postgres:// URL was given but the adapter is sqlite`, 'Set storage.adapter: postgres, or give a SQLite file path');
    }
    if (config.url !== undefined && config.path !== undefined) {
      throw configError('storage.url', 'both storage.url and storage.path name the SQLite file', 'Keep one of them (AGENT_SDK_DATABASE_URL sets storage.url)');
    }
    const given = config.url ?? config.path;
    target = { adapter, file: given === undefined ? resolve(where.dataDir, 'agent-sdk.sqlite') : sqliteFile(given, where.baseDir) };
  }
  const defaultBatch = adapter === 'sqlite' ? 400 : 2000;
  if (adapter === 'sqlite' && config.eventBatchRows !== undefined && config.eventBatchRows > 400) {
    throw configError('storage.eventBatchRows', `${config.eventBatchRows} rows exceed what one SQLite insert can take`, 'Use at most 400 on SQLite');
  }
  const pool = { min: config.pool?.min ?? 0, max: config.pool?.max ?? 10 };
  if (pool.min > pool.max) throw configError('storage.pool.min', `min (${pool.min}) is greater than max (${pool.max})`, 'Make storage.pool.min at most storage.pool.max');
  return {
    target,
    autoMigrate: config.autoMigrate ?? adapter === 'sqlite',
    pool,
    eventBatchRows: config.eventBatchRows ?? defaultBatch,
    synchronous: config.synchronous ?? 'full',
  };
}

/** `:memory:`, `sqlite:relative/or/absolute`, `file:` URLs and plain paths; relative ones against baseDir. */
function sqliteFile(given: string, baseDir: string): string {
  if (given === ':memory:') return given;
  let path = given;
  if (/^file:/i.test(path)) path = path.startsWith('file://') ? fileURLToPath(path) : path.slice('file:'.length);
  else if (/^sqlite3?:/i.test(path)) path = path.replace(/^sqlite3?:(\/\/)?/i, '');
  if (!path) throw configError('storage.url', `"${given}" names no file`, 'Give a file path such as ./data/agent-sdk.sqlite');
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** The URL with its password replaced by `***`, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

/** A short, password-free description of the target for messages: the file, or host/database. */
export function describeTarget(target: StorageTarget): string {
  return target.adapter === 'sqlite' ? target.file : redactUrl(target.url);
}

function configError(path: string, reason: string, fix: string) {
  return sdkError('ASDK_STORAGE_CONFIG', { path, reason, fix });
}
