import type { EntitySchema, FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import type { Page, PageRequest } from '../../../core/index.js';
import { decodeCursor, encodeCursor, pageLimit } from './paging.js';

export interface KeysetOptions<R, T> {
  /** Tags the cursor so a cursor of one list is refused by another. */
  readonly list: string;
  /** The sort column (a property of R); `id` breaks ties. */
  readonly sort: keyof R & string;
  readonly direction: 'asc' | 'desc';
  /** The sort value of a row as it goes into the cursor (timestamps normalised to ISO). */
  readonly sortValue: (row: R) => string | number;
  readonly map: (row: R) => T;
}

/**
 * One page of `where`, ordered by (sort, id) in `direction`, after the cursor's position. Reads one row
 * more than the limit to know whether a next page exists, so the last page carries no cursor.
 */
export async function keysetPage<R extends { id: string }, T>(
  em: EntityManager,
  entity: EntitySchema<R>,
  where: FilterQuery<R>,
  page: PageRequest | undefined,
  options: KeysetOptions<R, T>,
): Promise<Page<T>> {
  const limit = pageLimit(page);
  const after = decodeCursor(options.list, page?.cursor);
  const op = options.direction === 'desc' ? '$lt' : '$gt';
  const filter = after
    ? { $and: [where, { $or: [{ [options.sort]: { [op]: after.sort } }, { [options.sort]: after.sort, id: { [op]: after.id } }] }] }
    : where;
  const rows = (await em.find(entity, filter as FilterQuery<R>, {
    orderBy: { [options.sort]: options.direction, id: options.direction } as never,
    limit: limit + 1,
  })) as R[];
  const items = rows.slice(0, limit);
  const mapped = items.map(options.map);
  if (rows.length <= limit) return { items: mapped };
  const last = items[items.length - 1];
  return { items: mapped, nextCursor: encodeCursor(options.list, { sort: options.sortValue(last), id: last.id }) };
}
