import { sdkError, type Page, type PageRequest } from '../../core/index.js';

/** A position in a sorted list: the sort value of the last item returned, and its tie-breaker. */
type CursorKey = readonly [string | number, number];

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

/** The page size asked for, held to 1..200 (default 50). */
export function pageLimit(request?: PageRequest): number {
  const limit = request?.limit;
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit)));
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string): CursorKey {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === 2 && (typeof key[0] === 'string' || typeof key[0] === 'number') && Number.isInteger(key[1])) {
      return key as unknown as CursorKey;
    }
  } catch {
    // fall through to the error below
  }
  throw sdkError('ASDK_STORAGE_INVALID', {
    what: 'page cursor',
    reason: `"${cursor.length > 40 ? `${cursor.slice(0, 37)}...` : cursor}" is not a cursor this list returned`,
    fix: 'Pass the nextCursor of the previous page unchanged, or omit cursor to start from the first page',
  });
}

/**
 * Keyset pagination over rows sorted by (`sortValue`, `order`), descending or ascending. A cursor names the
 * last row of the previous page, so pages stay stable while rows are added.
 */
export function paginate<T>(
  rows: Iterable<T>,
  options: { sortValue: (row: T) => string | number; order: (row: T) => number; descending: boolean },
  request?: PageRequest,
): Page<T> {
  const limit = pageLimit(request);
  const direction = options.descending ? -1 : 1;
  const compare = (a: CursorKey, b: CursorKey) => direction * (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]);
  const keyed = [...rows].map((row) => ({ row, key: [options.sortValue(row), options.order(row)] as CursorKey }));
  keyed.sort((a, b) => compare(a.key, b.key));
  let start = 0;
  if (request?.cursor) {
    const after = decodeCursor(request.cursor);
    start = keyed.findIndex((entry) => compare(entry.key, after) > 0);
    if (start === -1) start = keyed.length;
  }
  const slice = keyed.slice(start, start + limit);
  const more = start + limit < keyed.length;
  const items = slice.map((entry) => entry.row);
  return more ? { items, nextCursor: encodeCursor(slice[slice.length - 1].key) } : { items };
}
