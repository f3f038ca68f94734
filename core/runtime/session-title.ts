/** The most code points a title taken from a prompt keeps. */
export const SESSION_TITLE_MAX_CODE_POINTS = 80;

/**
 * A session's title from the prompt that opened it: its first non-blank line, trimmed, at most
 * {@link SESSION_TITLE_MAX_CODE_POINTS} code points (an emoji is kept whole or left out, never halved);
 * undefined for a blank prompt. Lists of sessions (the console, GET /sessions) show it.
 *
 * @example
 * ```ts
 * sessionTitle('  What is 17 * 23?\nShow your work.'); // 'What is 17 * 23?'
 * ```
 */
export function sessionTitle(prompt: string): string | undefined {
  const start = prompt.search(/\S/);
  if (start === -1) return undefined;
  const end = prompt.slice(start).search(/[\n\r\u2028\u2029]/);
  const line = (end === -1 ? prompt.slice(start) : prompt.slice(start, start + end)).trimEnd();
  // Counts code points up to the limit only: a first line of a megabyte is not turned into an array.
  let units = 0;
  let points = 0;
  while (units < line.length && points < SESSION_TITLE_MAX_CODE_POINTS) {
    units += line.codePointAt(units)! > 0xffff ? 2 : 1;
    points++;
  }
  return line.slice(0, units).trimEnd();
}
