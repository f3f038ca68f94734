import { JsonType, type Platform, type TransformContext } from '@mikro-orm/core';

const NUL_ESCAPE = '\\u0000';
const replaceNul = (_key: string, value: unknown) => (typeof value === 'string' && value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value);
/** How JSON.stringify writes a lone surrogate (it writes paired ones as they are): `\ud800` to `\udfff`. */
const SURROGATE_ESCAPE = '\\ud';
const LONE_SURROGATE = /\\ud[89a-f][0-9a-f]{2}/g;

/**
 * JSON text for a column. Postgres' jsonb cannot hold the NUL character (`\u0000`), which model output can
 * contain: there it becomes U+FFFD (the replacement character) instead of failing the write. SQLite keeps it.
 * Neither keeps a lone surrogate (half of a UTF-16 pair, left by a cut in the wrong place): jsonb refuses it
 * and fails the write, so on both it becomes U+FFFD, as `String.prototype.toWellFormed` does (in keys too).
 */
export function jsonText(value: unknown, postgres: boolean): string {
  const text = JSON.stringify(value);
  if (text === undefined) return 'null';
  return wellFormed(postgres && text.includes(NUL_ESCAPE) ? JSON.stringify(value, replaceNul) : text);
}

/** MikroORM's JSON type, with the same rules as {@link jsonText} for the entity columns. */
export class JsonColumnType extends JsonType {
  override convertToDatabaseValue(value: unknown, platform: Platform, context?: TransformContext): string | null {
    if (value !== null && value !== undefined) {
      const text = JSON.stringify(value);
      const nul = text?.includes(NUL_ESCAPE) && platform.getJsonDeclarationSQL() === 'jsonb';
      if (nul || text?.includes(SURROGATE_ESCAPE)) value = JSON.parse(wellFormed(nul ? JSON.stringify(value, replaceNul) : text));
    }
    return super.convertToDatabaseValue(value, platform, context);
  }
}

/** The JSON text with each lone surrogate escape made `\ufffd`; an escaped backslash before `ud…` is left alone. */
function wellFormed(text: string): string {
  if (!text.includes(SURROGATE_ESCAPE)) return text;
  return text.replace(LONE_SURROGATE, (escape: string, offset: number) => {
    let backslashes = 0;
    for (let i = offset - 1; i >= 0 && text.charCodeAt(i) === 0x5c; i--) backslashes++;
    return backslashes % 2 === 0 ? '\\ufffd' : escape;
  });
}
