import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_ORG, DEFAULT_ORG_ID } from '../../../core/index.js';
import type { ContractContext } from '../contract.js';
import { isIsoTime, rejectsWith, sleep } from './assert-helpers.js';

/** Orgs, users, API keys, audit log, usage counters and idempotency keys. */
export function registerTenancyTests(test: Test, ctx: ContractContext): void {
  test('orgs: the default org exists; ensure creates once and returns the same org again', async () => {
    const def = await ctx.storage.orgs.get(DEFAULT_ORG_ID);
    assert.is(def?.id, DEFAULT_ORG_ID);
    const id = ctx.id('org');
    const first = await ctx.storage.orgs.ensure({ id, name: 'Acme' });
    assert.equal({ id: first.id, name: first.name }, { id, name: 'Acme' });
    assert.ok(isIsoTime(first.createdAt));
    const again = await ctx.storage.orgs.ensure({ id, name: 'Renamed' });
    assert.equal(again, first, 'ensure of an existing org returns it unchanged');
    assert.equal(await ctx.storage.orgs.get(id), first);
    assert.is(await ctx.storage.orgs.get(ctx.id('missing')), undefined);
    const ids = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await ctx.storage.orgs.list({ limit: 200, cursor });
      page.items.forEach((o) => ids.add(o.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.ok(ids.has(id) && ids.has(DEFAULT_ORG_ID), 'orgs.list pages through every org');
  });

  test('users: create, get, list; ids and emails (any case) are unique per org', async () => {
    const org = await ctx.newOrg();
    const other = await ctx.newOrg();
    const ada = await ctx.storage.users.create(org, { id: ctx.id('u'), email: 'Ada@Example.com', role: 'admin', name: 'Ada' });
    assert.equal({ orgId: ada.orgId, email: ada.email, role: ada.role, name: ada.name }, { orgId: org.orgId, email: 'Ada@Example.com', role: 'admin', name: 'Ada' });
    assert.ok(isIsoTime(ada.createdAt));
    assert.equal(await ctx.storage.users.get(org, ada.id), ada);
    await rejectsWith(ctx.storage.users.create(org, { id: ada.id, email: 'x@example.com', role: 'viewer' }), 'ASDK_STORAGE_CONFLICT');
    await rejectsWith(ctx.storage.users.create(org, { id: ctx.id('u'), email: 'ada@example.COM', role: 'viewer' }), 'ASDK_STORAGE_CONFLICT');
    const twin = await ctx.storage.users.create(other, { id: ctx.id('u'), email: 'ada@example.com', role: 'viewer' });
    assert.is(twin.orgId, other.orgId, 'another org may use the same email');
    assert.is(twin.name, undefined);
    const listed = await ctx.storage.users.list(org);
    assert.equal(listed.items.map((u) => u.id), [ada.id]);
  });

  test('api keys: create, find by prefix across orgs, list, revoke once, touch', async () => {
    const org = await ctx.newOrg();
    const other = await ctx.newOrg();
    const prefix = `ak_${ctx.id('p').slice(-12)}`;
    const key = await ctx.storage.apiKeys.create(org, { id: ctx.id('k'), name: 'ci', prefix, hash: 'h1', scopes: ['admin', 'developer'] });
    assert.equal({ orgId: key.orgId, prefix: key.prefix, hash: key.hash, scopes: key.scopes }, { orgId: org.orgId, prefix, hash: 'h1', scopes: ['admin', 'developer'] });
    assert.is(key.revokedAt, undefined);
    const otherKey = await ctx.storage.apiKeys.create(other, { id: ctx.id('k'), name: 'ops', prefix, hash: 'h2', scopes: [] });
    const found = await ctx.storage.apiKeys.findByPrefix(prefix);
    assert.equal(new Set(found.map((k) => `${k.orgId}/${k.id}`)), new Set([`${org.orgId}/${key.id}`, `${other.orgId}/${otherKey.id}`]));
    assert.equal(await ctx.storage.apiKeys.findByPrefix(`${prefix}-none`), []);
    await rejectsWith(ctx.storage.apiKeys.create(org, { id: key.id, name: 'dup', prefix, hash: 'h3', scopes: [] }), 'ASDK_STORAGE_CONFLICT');

    const at = '2026-01-02T03:04:05.678Z';
    await ctx.storage.apiKeys.touch(org, key.id, at);
    assert.is(await ctx.storage.apiKeys.revoke(other, key.id), false, 'another org cannot revoke it');
    assert.is(await ctx.storage.apiKeys.revoke(org, key.id), true);
    assert.is(await ctx.storage.apiKeys.revoke(org, key.id), false, 'a revoked key is not revoked again');
    const [listed] = (await ctx.storage.apiKeys.list(org)).items;
    assert.is(listed.id, key.id);
    assert.is(Date.parse(listed.lastUsedAt!), Date.parse(at));
    assert.ok(isIsoTime(listed.revokedAt));
    const untouched = (await ctx.storage.apiKeys.list(other)).items[0];
    assert.is(untouched.revokedAt, undefined);
    assert.is(untouched.lastUsedAt, undefined);
  });

  test('audit: seq from 1 per org without gaps, hash-chained, listed newest first', async () => {
    const org = await ctx.newOrg();
    const other = await ctx.newOrg();
    const appended = [];
    for (let i = 0; i < 5; i++) appended.push(await ctx.storage.audit.append(org, { actor: 'user:ada', action: `act.${i}`, target: `t${i}`, details: { i } }));
    await Promise.all(Array.from({ length: 10 }, (_, i) => ctx.storage.audit.append(org, { actor: 'user:bob', action: `concurrent.${i}` })));
    await ctx.storage.audit.append(other, { actor: 'user:eve', action: 'x' });
    assert.equal(appended.map((e) => e.seq), [1, 2, 3, 4, 5]);
    assert.equal(appended[2].details, { i: 2 });
    assert.is(appended[2].target, 't2');
    const all = [];
    let cursor: string | undefined;
    do {
      const page = await ctx.storage.audit.list(org, { limit: 4, cursor });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    assert.equal(all.map((e) => e.seq), [15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    assert.ok(all.every((e) => /^[0-9a-f]{64}$/.test(e.hash) && e.orgId === org.orgId && isIsoTime(e.ts)));
    assert.is(new Set(all.map((e) => e.hash)).size, 15, 'every entry has its own hash');
    assert.is(new Set(all.map((e) => e.id)).size, 15);
    assert.equal((await ctx.storage.audit.list(other)).items.map((e) => e.seq), [1]);
  });

  test('usage: increments add up per org, period and metric', async () => {
    const org = await ctx.newOrg();
    const other = await ctx.newOrg();
    await Promise.all(Array.from({ length: 20 }, () => ctx.storage.usage.increment(org, '2026-11', 'tokens.input', 5)));
    await ctx.storage.usage.increment(org, '2026-11', 'cost.usd', 0.25);
    await ctx.storage.usage.increment(org, '2026-11', 'cost.usd', 0.5);
    await ctx.storage.usage.increment(org, '2026-12', 'tokens.input', 1);
    await ctx.storage.usage.increment(other, '2026-11', 'tokens.input', 7);
    const counters = Object.fromEntries((await ctx.storage.usage.get(org, '2026-11')).map((c) => [c.metric, c.value]));
    assert.equal(counters, { 'tokens.input': 100, 'cost.usd': 0.75 });
    assert.equal((await ctx.storage.usage.get(org, '2026-12')).map((c) => c.value), [1]);
    assert.equal((await ctx.storage.usage.get(other, '2026-11')).map((c) => [c.orgId, c.value]), [[other.orgId, 7]]);
  });

  test('idempotency: one claim wins among concurrent ones; complete, release, expiry, purge; per org', async () => {
    const org = await ctx.newOrg();
    const other = await ctx.newOrg();
    const key = ctx.id('idem');
    const claims = await Promise.all(Array.from({ length: 20 }, () => ctx.storage.idempotency.claim(org, key, 'body-hash', 60_000)));
    assert.is(claims.filter((c) => c.claimed).length, 1, 'exactly one concurrent claim wins');
    assert.ok(claims.every((c) => c.record.requestHash === 'body-hash' && c.record.state === 'pending'));
    const elsewhere = await ctx.storage.idempotency.claim(other, key, 'other-hash', 60_000);
    assert.ok(elsewhere.claimed, 'the same key is free in another org');

    assert.is(await ctx.storage.idempotency.complete(other, ctx.id('nokey'), { status: 200, body: {} }), false);
    assert.is(await ctx.storage.idempotency.complete(org, key, { status: 201, body: { runId: 'r1', ok: true } }, 'r1'), true);
    assert.is(await ctx.storage.idempotency.complete(org, key, { status: 500, body: null }), false, 'a completed key is not completed again');
    const record = await ctx.storage.idempotency.get(org, key);
    assert.equal({ state: record?.state, response: record?.response, runId: record?.runId }, { state: 'completed', response: { status: 201, body: { runId: 'r1', ok: true } }, runId: 'r1' });
    const retry = await ctx.storage.idempotency.claim(org, key, 'body-hash', 60_000);
    assert.equal({ claimed: retry.claimed, state: retry.record.state }, { claimed: false, state: 'completed' });
    await ctx.storage.idempotency.release(org, key);
    assert.is((await ctx.storage.idempotency.get(org, key))?.state, 'completed', 'release frees pending keys only');

    const failing = ctx.id('idem');
    assert.ok((await ctx.storage.idempotency.claim(org, failing, 'h', 60_000)).claimed);
    await ctx.storage.idempotency.release(org, failing);
    assert.ok((await ctx.storage.idempotency.claim(org, failing, 'h2', 60_000)).claimed, 'a released key can be claimed again');

    const shortLived = ctx.id('idem');
    assert.ok((await ctx.storage.idempotency.claim(org, shortLived, 'h', 20)).claimed);
    await sleep(40);
    assert.is(await ctx.storage.idempotency.get(org, shortLived), undefined, 'an expired key is gone');
    const reclaimed = await ctx.storage.idempotency.claim(org, shortLived, 'h-new', 20);
    assert.equal({ claimed: reclaimed.claimed, hash: reclaimed.record.requestHash }, { claimed: true, hash: 'h-new' });
    await sleep(40);
    assert.ok((await ctx.storage.idempotency.purgeExpired(new Date().toISOString())) >= 1);
    assert.ok((await ctx.storage.idempotency.get(org, key)) !== undefined, 'purge keeps live keys');
  });

  test('a default-org call needs no setup (single-tenant use)', async () => {
    const session = await ctx.storage.sessions.create(DEFAULT_ORG, { id: ctx.id('s') });
    assert.is(session.orgId, DEFAULT_ORG_ID);
    assert.equal(await ctx.storage.sessions.get(DEFAULT_ORG, session.id), session);
  });
}
