import { sdkError, type PageRequest } from '../../../core/index.js';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/** The position after the last item of a page: its sort value and id (the tie-breaker). */
export interface CursorPosition {
  readonly sort: string | number;
  readonly id: string;
}

/** The page size asked for, held to 1..200 (default 50), as the port documents it. */
export function pageLimit(page: PageRequest | undefined): number {
  const limit = page?.limit;
  if (typeof limit !== 'number' || !Number.isFinite(limit)) return DEFAULT_PAGE_LIMIT;
  return Math.min(MAX_PAGE_LIMIT, Math.max(1, Math.floor(limit)));
}

/**
 * Cursors are opaque to callers: base64url of `[list, sort, id]`. Keyset pagination on (sort, id) never
 * skips or repeats a row that existed when the first page was read, whatever is inserted in between.
 */
export function encodeCursor(list: string, position: CursorPosition): string {
  return Buffer.from(JSON.stringify([list, position.sort, position.id])).toString('base64url');
}

/** The position a cursor of `list` points after; undefined for the first page; an error for anything else. */
export function decodeCursor(list: string, cursor: string | undefined): CursorPosition | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let parsed: unknown;
  try {
    parsed = typeof cursor === 'string' ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 3 &&
    parsed[0] === list &&
    (typeof parsed[1] === 'string' || typeof parsed[1] === 'number') &&
    typeof parsed[2] === 'string'
  ) {
    return { sort: parsed[1], id: parsed[2] };
  }
  throw sdkError('ASDK_STORAGE_INVALID', {
    what: 'page cursor',
    reason: `${JSON.stringify(String(cursor).slice(0, 80))} is not a cursor of this list`,
    fix: 'Pass the nextCursor of the previous page of the same list unchanged, or omit it to start from the first page',
  });
}
