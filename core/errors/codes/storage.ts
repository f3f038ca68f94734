import type { ErrorSpec } from '../registry.js';

/** Codes raised by the storage area. */
export const storageErrors = {
  ASDK_STORAGE_CONFIG: {
    status: 500,
    message: 'Invalid storage configuration at {path}: {reason}',
    hint: '{fix} (docs/storage.md lists every key).',
  },
  ASDK_STORAGE_CONNECT: {
    status: 503,
    message: 'Could not open the {adapter} database {target}: {reason}',
    hint: '{fix} docs/storage.md describes the storage settings.',
  },
  ASDK_STORAGE_MIGRATIONS_PENDING: {
    status: 503,
    message: 'The {adapter} database {target} has {count} pending migration(s): {names}; run `{command}` first',
    hint: 'Run `{command}` with the same config and environment, then start again (docs/operations.md describes upgrades).',
  },
  ASDK_STORAGE_SCHEMA_AHEAD: {
    status: 503,
    message: 'The {adapter} database {target} was migrated by a newer agent-sdk: it has migration(s) this version does not know: {names}',
    hint: 'Run the agent-sdk version that migrated it (or newer), or restore the backup taken before the upgrade (docs/operations.md).',
  },
  ASDK_STORAGE_MIGRATION_FAILED: {
    status: 500,
    message: 'Migration {direction} failed on the {adapter} database {target}: {reason}',
    hint: 'Nothing of the failed migration was applied (each runs in a transaction); fix the cause shown and run `agent-sdk migrate {direction}` again.',
  },
  ASDK_STORAGE_NOT_FOUND: {
    status: 404,
    message: '{entity} "{id}" does not exist in org "{orgId}"',
    hint: 'Check the id; rows of another org are invisible and cannot be written through this org\'s scope.',
  },
  ASDK_STORAGE_CONFLICT: {
    status: 409,
    message: '{entity} {what} already exists in org "{orgId}"',
    hint: 'Use another {field}, or read the existing {entity} instead of creating it again.',
  },
  ASDK_STORAGE_INVALID: {
    status: 400,
    message: 'Invalid {what}: {reason}',
    hint: '{fix}; core/ports/storage.ts documents every argument of the storage port.',
  },
  ASDK_STORAGE_UNAVAILABLE: {
    status: 503,
    message: 'Storage operation {operation} failed: {reason}',
    hint: 'The database did not complete the operation; check that it is reachable and not full, then retry. The cause is kept below.',
  },
  ASDK_STORAGE_CLOSED: {
    status: 503,
    message: 'Storage is closed; cannot {operation}',
    hint: 'The storage plugin has stopped (the kernel is shutting down); start a new kernel to use storage again.',
  },
} as const satisfies Record<string, ErrorSpec>;
