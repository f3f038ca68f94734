// The storage contract: what every adapter of ports.storage must do, as one reusable uvu suite.
// An adapter's test file calls `storageContract(name, factory).run()`; see docs/storage.md.
import { randomUUID } from 'node:crypto';
import { suite, type Test } from 'uvu';
import type { OrgScope, StoragePort } from '../../core/index.js';
import { registerCrashTests } from './contract/crash.js';
import { registerDocumentTests } from './contract/documents.js';
import { registerEventTests } from './contract/events.js';
import { registerIsolationTests } from './contract/isolation.js';
import { registerPaginationTests } from './contract/pagination.js';
import { registerSessionRunTests } from './contract/sessions-runs.js';
import { registerTenancyTests } from './contract/tenancy.js';

/** A store opened by a factory. */
export interface StorageHandle {
  readonly storage: StoragePort;
  close(): Promise<void>;
}

/** What a factory gives the contract: a store to open (again), and how a child process opens it. */
export interface StorageUnderTest {
  /** Opens the store. When `persistent`, each call opens the same data through a new handle. */
  open(): Promise<StorageHandle>;
  /** Whether data outlives a handle (reopen, second writer and crash tests run only then). */
  readonly persistent: boolean;
  /**
   * For the crash test: a module the child process imports and the export it calls with `options` to get a
   * StorageHandle on the same data. Absent when nothing persists.
   */
  readonly child?: { readonly module: string; readonly exportName: string; readonly options: unknown };
  /** Removes whatever the factory created (files, databases). */
  dispose(): Promise<void>;
}

/** What each group of contract tests receives. */
export interface ContractContext {
  /** The store of the suite, open for every test. */
  readonly storage: StoragePort;
  readonly sut: StorageUnderTest;
  /** A fresh org, ensured: tests use their own orgs so they never see each other's rows. */
  newOrg(): Promise<OrgScope>;
  /** A unique id with a readable prefix. */
  id(prefix: string): string;
}

/**
 * Registers the contract suite for one adapter. The factory runs once before the tests and `dispose` after.
 *
 * @example
 * ```ts
 * storageContract('sqlite :memory:', async () => ({ persistent: false, open: ..., dispose: async () => {} })).run();
 * ```
 */
export function storageContract(name: string, factory: () => Promise<StorageUnderTest>): Test {
  const test = suite(`storage contract: ${name}`);
  let sut: StorageUnderTest | undefined;
  let handle: StorageHandle | undefined;
  const ctx: ContractContext = {
    get storage() {
      if (!handle) throw new Error('the store did not open (see the error of the "before" hook)');
      return handle.storage;
    },
    get sut() {
      return sut!;
    },
    async newOrg() {
      const id = `org-${randomUUID().slice(0, 8)}`;
      await ctx.storage.orgs.ensure({ id, name: `Org ${id}` });
      return { orgId: id };
    },
    id: (prefix) => `${prefix}-${randomUUID()}`,
  };
  test.before(async () => {
    sut = await factory();
    handle = await sut.open();
  });
  test.after(async () => {
    await handle?.close();
    await sut?.dispose();
  });
  registerTenancyTests(test, ctx);
  registerSessionRunTests(test, ctx);
  registerEventTests(test, ctx);
  registerDocumentTests(test, ctx);
  registerPaginationTests(test, ctx);
  registerIsolationTests(test, ctx);
  registerCrashTests(test, ctx);
  return test;
}
