import { sdkError } from '../../../core/index.js';

/**
 * Timestamps are stored as ISO 8601 in UTC with milliseconds (`2026-01-31T12:00:00.000Z`): that form sorts as
 * text on SQLite and round-trips through timestamptz(3) on Postgres, so pagination cursors compare the same
 * way on both.
 */
export function normalizeTimestamp(value: unknown, what: string): string {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0 || ms > 253402300799999) {
    throw sdkError('ASDK_STORAGE_INVALID', {
      what,
      reason: `expected an ISO 8601 date-time between the years 1970 and 9999, found ${JSON.stringify(value)}`,
      fix: 'Pass a time such as new Date().toISOString()',
    });
  }
  return new Date(ms).toISOString();
}

/** A timestamp read back from either database (ISO text on SQLite; a timestamptz string or Date on Postgres). */
export function timestampFromDb(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && value.length === 24 && value.endsWith('Z')) return value;
  if (typeof value === 'number') return new Date(value).toISOString();
  return new Date(String(value)).toISOString();
}

export function optionalTimestampFromDb(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : timestampFromDb(value);
}
