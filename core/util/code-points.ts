/**
 * `text` cut to at most `maxUnits` UTF-16 code units without splitting a surrogate pair: when the cut would
 * keep the first half of a pair, that half goes too. A lone surrogate is not valid Unicode; JSON readers and
 * Postgres `jsonb` refuse it, so a cut that makes one breaks whoever stores or parses the text later.
 *
 * @example
 * ```ts
 * cutAtCodePoint('ab😀', 3); // 'ab' (not 'ab\uD83D')
 * ```
 */
export function cutAtCodePoint(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  if (maxUnits <= 0) return '';
  const last = text.charCodeAt(maxUnits - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, maxUnits - 1) : text.slice(0, maxUnits);
}
