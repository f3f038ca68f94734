import type { Org, OrgRepository } from '../../../core/index.js';
import type { OrgRow } from '../schema/entities.js';
import { requireId, type StoreContext } from '../store-context.js';
import { isUniqueViolation } from '../util/db-errors.js';
import { keysetPage } from '../util/keyset.js';
import { timestampFromDb } from '../util/time.js';

export function toOrg(row: OrgRow): Org {
  return { id: row.id, name: row.name, createdAt: timestampFromDb(row.createdAt) };
}

/** Orgs are the tenants themselves: the one repository without an org scope. */
export function orgRepository(ctx: StoreContext): OrgRepository {
  const { Org } = ctx.db.entities;
  return {
    ensure(org) {
      return ctx.work('orgs.ensure', async (em) => {
        requireId('org id', org?.id);
        requireId('org name', org.name);
        const existing = await em.findOne(Org, { id: org.id });
        if (existing) return toOrg(existing);
        try {
          await em.insert(Org, { id: org.id, name: org.name, createdAt: ctx.now() });
        } catch (error) {
          if (!isUniqueViolation(error)) throw error; // another writer ensured it first: read theirs
        }
        return toOrg((await ctx.db.fork().findOneOrFail(Org, { id: org.id })) as OrgRow);
      });
    },
    get(id) {
      return ctx.work('orgs.get', async (em) => {
        const row = typeof id === 'string' ? await em.findOne(Org, { id }) : null;
        return row ? toOrg(row) : undefined;
      });
    },
    list(page) {
      return ctx.work('orgs.list', (em) =>
        keysetPage(em, Org, {}, page, { list: 'orgs', sort: 'createdAt', direction: 'desc', sortValue: (r) => timestampFromDb(r.createdAt), map: toOrg }),
      );
    },
  };
}
