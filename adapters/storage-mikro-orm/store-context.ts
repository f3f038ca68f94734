import type { EntityManager, Knex } from '@mikro-orm/knex';
import { sdkError, type OrgScope } from '../../core/index.js';
import type { OrmHandle } from './open-orm.js';
import { guard } from './util/db-errors.js';
import { WriteGroup } from './write-group.js';

/** Raw parameterised SQL (`?` placeholders) inside a write's transaction; returns the rows. */
export type Sql = <R = Record<string, unknown>>(sql: string, bindings: readonly unknown[]) => Promise<R[]>;

/** What every repository shares: the ORM, the clock, and the rule "one forked EntityManager per operation". */
export class StoreContext {
  #closed = false;
  /** The hot writes (runs, sessions, messages, events): group-committed on SQLite. */
  readonly writes: WriteGroup;

  constructor(
    readonly db: OrmHandle,
    private readonly clock: () => number,
  ) {
    this.writes = new WriteGroup(db.knex, db.dialect === 'sqlite');
  }

  get postgres(): boolean {
    return this.db.dialect === 'postgres';
  }

  #lastMs = Number.NaN;
  #lastIso = '';

  /** Now, as stored: ISO 8601 UTC with milliseconds (formatted once per millisecond: appends ask often). */
  now(): string {
    const ms = this.clock();
    if (ms !== this.#lastMs) {
      this.#lastMs = ms;
      this.#lastIso = new Date(ms).toISOString();
    }
    return this.#lastIso;
  }

  nowMs(): number {
    return this.clock();
  }

  close(): void {
    this.#closed = true;
  }

  assertOpen(operation: string): void {
    if (this.#closed) throw sdkError('ASDK_STORAGE_CLOSED', { operation });
  }

  /** Runs `work` on a fresh fork of the EntityManager; database errors become ASDK_STORAGE_UNAVAILABLE. */
  async work<T>(operation: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    this.assertOpen(operation);
    return guard(operation, () => work(this.db.fork()));
  }

  /** Like `work`, inside one transaction: everything or nothing. Only use `em` inside (SQLite has one connection). */
  async transaction<T>(operation: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    this.assertOpen(operation);
    return guard(operation, () => this.db.fork().transactional((em) => work(em as EntityManager)));
  }

  /**
   * A write in raw SQL through the write group (see WriteGroup for what a write may do); resolves after its
   * commit. Database errors become ASDK_STORAGE_UNAVAILABLE.
   */
  async write<T>(operation: string, work: (sql: Sql) => Promise<T>, options?: { atomic?: boolean; transaction?: boolean }): Promise<T> {
    this.assertOpen(operation);
    return guard(operation, () => this.writes.run((db) => work((sql, bindings) => this.#rowsOf(db.raw(sql, bindings as never))), options));
  }

  /** Raw parameterised SQL on the pool, outside any transaction (reads). */
  read<T>(operation: string, work: (sql: Sql) => Promise<T>): Promise<T> {
    this.assertOpen(operation);
    return guard(operation, () => work((sql, bindings) => this.rows(sql, bindings)));
  }

  /** Raw parameterised SQL (`?` placeholders) on the ORM's connection, or on `em`'s transaction; returns the rows. */
  async rows<R = Record<string, unknown>>(sql: string, bindings: readonly unknown[], em?: EntityManager): Promise<R[]> {
    const trx = em?.getTransactionContext();
    const query = this.db.knex.raw(sql, bindings as never);
    return this.#rowsOf(trx ? query.transacting(trx) : query);
  }

  async #rowsOf<R>(query: Knex.Raw): Promise<R[]> {
    const result = (await query) as unknown;
    return (this.postgres ? (result as { rows: R[] }).rows : (result as R[])) ?? [];
  }
}

/** Checks a scope argument: every tenant method takes one, and a missing or empty org id is a caller bug. */
export function requireScope(scope: OrgScope | undefined, operation: string): string {
  const orgId = scope?.orgId;
  if (typeof orgId !== 'string' || orgId.length === 0) {
    throw sdkError('ASDK_STORAGE_INVALID', {
      what: `org scope of ${operation}`,
      reason: `expected { orgId: string }, found ${JSON.stringify(scope)}`,
      fix: 'Pass the org scope first (DEFAULT_ORG for single-tenant use)',
    });
  }
  return orgId;
}

/** Checks an id given by a caller: a non-empty string of at most 200 characters. */
export function requireId(what: string, id: unknown): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) {
    throw sdkError('ASDK_STORAGE_INVALID', {
      what,
      reason: `expected a non-empty string of at most 200 characters, found ${JSON.stringify(id)}`,
      fix: `Pass a valid ${what}`,
    });
  }
  return id;
}

/**
 * An id from a caller, as a query value: a non-string (an object would read as a query operator) becomes '',
 * which no row has (ids are non-empty), so the query finds nothing.
 */
export function idOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** `null` from the database becomes an absent property, so records compare equal across adapters. */
export function compact<T extends Record<string, unknown>>(record: T): T {
  for (const key of Object.keys(record)) if (record[key] === null || record[key] === undefined) delete record[key];
  return record;
}
