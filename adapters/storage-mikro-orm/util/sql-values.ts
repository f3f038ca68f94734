import { jsonText } from '../schema/json-text.js';

/** A JSON column as raw SQL returns it: text on SQLite (parsed here), already parsed from jsonb on Postgres. */
export function jsonFromDb<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** A value for a JSON column in raw SQL (NUL and lone surrogates made storable, as the entities do). */
export function jsonToDb(value: unknown, postgres: boolean): string | null {
  return value === null || value === undefined ? null : jsonText(value, postgres);
}

