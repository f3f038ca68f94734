/**
 * Storage on MikroORM 6: the `storage` plugin (SQLite by default, Postgres for production), and the pieces
 * the migrate command and other adapters build on. docs/storage.md describes the data model and guarantees.
 */
export { storagePlugin } from './plugin.js';
export { StorageConfig, resolveStorageOptions, redactUrl, describeTarget, type StorageOptions, type StorageTarget } from './config.js';
export { openMikroOrmStorage, type MikroOrmStorage, type OpenStorageOptions } from './mikro-orm-storage.js';
export { migrationState, migrateUp, migrateDown, type MigrationState } from './migrator.js';
export { openOrm, closeOrm, type OrmHandle } from './open-orm.js';
export { knownMigrations } from './migrations/index.js';
export { auditHash } from './repositories/audit.js';
export { vectorToBlob, blobToVector } from './repositories/documents.js';
export type { Dialect } from './schema/entities.js';
export {
  chunkIndexQueries,
  type ChunkIndexQueries,
  type ChunkIndexState,
  type ChunkTextRow,
  type ChunkVectorRow,
  type IndexedDocumentRow,
  type KeywordHitRow,
} from './repositories/chunk-index.js';
export { openPgvector, vectorLiteral, type Pgvector, type PgvectorHit, type PgvectorOptions } from './repositories/pgvector.js';
export { isMikroOrmStorage } from './mikro-orm-storage.js';

import { storagePlugin } from './plugin.js';
export default storagePlugin;
