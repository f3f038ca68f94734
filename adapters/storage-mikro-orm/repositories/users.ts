import { sdkError, type User, type UserRepository } from '../../../core/index.js';
import type { UserRow } from '../schema/entities.js';
import { compact, idOf, requireId, requireScope, type StoreContext } from '../store-context.js';
import { isUniqueViolation } from '../util/db-errors.js';
import { keysetPage } from '../util/keyset.js';
import { timestampFromDb } from '../util/time.js';

function toUser(row: UserRow): User {
  return compact({ id: row.id, orgId: row.orgId, email: row.email, name: row.name, role: row.role, createdAt: timestampFromDb(row.createdAt) }) as User;
}

/** People of an org; an email is unique per org, whatever its case. */
export function userRepository(ctx: StoreContext): UserRepository {
  const { User } = ctx.db.entities;
  return {
    create(scope, user) {
      return ctx.work('users.create', async (em) => {
        const orgId = requireScope(scope, 'users.create');
        requireId('user id', user?.id);
        if (typeof user.email !== 'string' || !user.email.includes('@')) {
          throw sdkError('ASDK_STORAGE_INVALID', { what: 'user email', reason: `${JSON.stringify(user.email)} is not an email address`, fix: 'Pass an address such as ada@example.com' });
        }
        requireId('user role', user.role);
        const row: UserRow = {
          id: user.id, orgId, email: user.email, emailKey: user.email.toLowerCase(), name: user.name ?? null, role: user.role, createdAt: ctx.now(),
        };
        try {
          await em.insert(User, row);
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          const sameId = await ctx.db.fork().count(User, { id: user.id });
          throw sameId
            ? sdkError('ASDK_STORAGE_CONFLICT', { entity: 'user', what: `"${user.id}"`, orgId, field: 'id' })
            : sdkError('ASDK_STORAGE_CONFLICT', { entity: 'user', what: `with email ${user.email}`, orgId, field: 'email' });
        }
        return toUser(row);
      });
    },
    get(scope, id) {
      return ctx.work('users.get', async (em) => {
        const row = await em.findOne(User, { id: idOf(id), orgId: requireScope(scope, 'users.get') });
        return row ? toUser(row) : undefined;
      });
    },
    list(scope, page) {
      return ctx.work('users.list', (em) =>
        keysetPage(em, User, { orgId: requireScope(scope, 'users.list') }, page, {
          list: 'users', sort: 'createdAt', direction: 'desc', sortValue: (r) => timestampFromDb(r.createdAt), map: toUser,
        }),
      );
    },
  };
}
