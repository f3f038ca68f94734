import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page, PageRequest } from '../../../core/index.js';
import type { ContractContext } from '../contract.js';
import { rejectsWith, sleep } from './assert-helpers.js';

/** Reads `pages` pages of `limit`, calling `between` after each page. */
async function readPages<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number, between: () => Promise<void>): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit, cursor });
    assert.ok(page.items.length <= limit);
    pages.push([...page.items]);
    cursor = page.nextCursor;
    await between();
  } while (cursor);
  return pages;
}

/** Keyset cursors: stable while rows are inserted between page reads. */
export function registerPaginationTests(test: Test, ctx: ContractContext): void {
  test('pagination: sessions newest first; inserting between page reads neither skips nor repeats a row', async () => {
    const org = await ctx.newOrg();
    const original: string[] = [];
    for (let i = 0; i < 23; i++) {
      original.push((await ctx.storage.sessions.create(org, { id: ctx.id('s') })).id);
      if (i % 5 === 0) await sleep(2); // some rows share a millisecond, some do not
    }
    const pages = await readPages((p) => ctx.storage.sessions.list(org, p), 5, async () => {
      await ctx.storage.sessions.create(org, { id: ctx.id('new') });
    });
    const seen = pages.flat().filter((s) => original.includes(s.id));
    assert.is(seen.length, 23, 'every original session appears once');
    assert.is(new Set(seen.map((s) => s.id)).size, 23, 'no session appears twice');
    const times = pages.flat().map((s) => Date.parse(s.updatedAt));
    assert.equal(times, [...times].sort((a, b) => b - a), 'newest first');
    assert.is(pages[0].length, 5);
  });

  test('pagination: runs of a session oldest first, stable while runs are added', async () => {
    const org = await ctx.newOrg();
    const session = await ctx.storage.sessions.create(org, { id: ctx.id('s') });
    const original: string[] = [];
    for (let i = 0; i < 12; i++) original.push((await ctx.storage.runs.create(org, { id: ctx.id('r'), sessionId: session.id, input: String(i) })).id);
    const pages = await readPages((p) => ctx.storage.runs.listBySession(org, session.id, p), 4, async () => {
      await ctx.storage.runs.create(org, { id: ctx.id('r'), sessionId: session.id, input: 'late' });
    });
    const seen = pages.flat().map((r) => r.id).filter((id) => original.includes(id));
    assert.is(seen.length, 12);
    assert.is(new Set(seen).size, 12);
    const times = pages.flat().map((r) => Date.parse(r.createdAt));
    assert.equal(times, [...times].sort((a, b) => a - b), 'oldest first');
  });

  test('pagination: users, api keys, collections and documents page through everything once', async () => {
    const org = await ctx.newOrg();
    const collection = await ctx.storage.documents.ensureCollection(org, 'c');
    for (let i = 0; i < 7; i++) {
      await ctx.storage.users.create(org, { id: ctx.id('u'), email: `u${i}@example.com`, role: 'viewer' });
      await ctx.storage.apiKeys.create(org, { id: ctx.id('k'), name: `k${i}`, prefix: ctx.id('p'), hash: 'h', scopes: [] });
      await ctx.storage.documents.ensureCollection(org, `c${i}`);
      await ctx.storage.documents.upsertDocument(org, { id: ctx.id('d'), collectionId: collection.id, source: `s${i}`, contentHash: 'h' }, []);
    }
    const none = async () => {};
    assert.is(new Set((await readPages((p) => ctx.storage.users.list(org, p), 3, none)).flat().map((u) => u.id)).size, 7);
    assert.is(new Set((await readPages((p) => ctx.storage.apiKeys.list(org, p), 3, none)).flat().map((k) => k.id)).size, 7);
    assert.is(new Set((await readPages((p) => ctx.storage.documents.listCollections(org, p), 3, none)).flat().map((c) => c.id)).size, 8);
    assert.is(new Set((await readPages((p) => ctx.storage.documents.listDocuments(org, collection.id, p), 3, none)).flat().map((d) => d.id)).size, 7);
    const last = await ctx.storage.users.list(org, { limit: 7 });
    assert.is(last.items.length, 7);
    assert.is(last.nextCursor, undefined, 'a page that reaches the end has no cursor');
  });

  test('pagination: a cursor that no list produced is refused', async () => {
    const org = await ctx.newOrg();
    await rejectsWith(ctx.storage.sessions.list(org, { cursor: 'not-a-cursor' }), 'ASDK_STORAGE_INVALID');
  });
}
