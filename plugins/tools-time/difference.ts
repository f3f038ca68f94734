import { daysInMonth } from './iso.js';
import { instantOf, wallTimeOf, type WallTime, type Zone } from './zones.js';

export const DIFF_UNITS = ['auto', 'milliseconds', 'seconds', 'minutes', 'hours', 'days', 'weeks', 'months', 'years'] as const;
export type DiffUnit = (typeof DIFF_UNITS)[number];

const FIXED: Readonly<Record<string, number>> = {
  milliseconds: 1,
  seconds: 1_000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
};

export interface Difference {
  /** `to - from`, signed. */
  readonly milliseconds: number;
  /** In `unit`: fixed units may be fractional (6 decimals); months and years count whole calendar units. */
  readonly value: number;
  readonly unit: Exclude<DiffUnit, 'auto'>;
  /** Whether `to` is later than, earlier than or equal to `from`. */
  readonly direction: 'later' | 'earlier' | 'equal';
  /** ISO 8601 duration on the calendar of the zone, e.g. `P1Y2M3DT4H5M`, `-PT30M`. */
  readonly iso: string;
  /** The same for people: `1 year, 2 months, 3 days and 4 hours`. */
  readonly human: string;
}

function addMonths(wall: WallTime, months: number): WallTime {
  const index = wall.year * 12 + (wall.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { ...wall, year, month, day: Math.min(wall.day, daysInMonth(year, month)) };
}

/** Whole calendar months from `a` to `b` (a <= b) in a zone, and the instant they lead to. */
function wholeMonths(a: number, b: number, zone: Zone): { months: number; reached: number } {
  const start = wallTimeOf(a, zone);
  const end = wallTimeOf(b, zone);
  let months = (end.year - start.year) * 12 + (end.month - start.month);
  let reached = instantOf(addMonths(start, months), zone).epochMs;
  while (months > 0 && reached > b) reached = instantOf(addMonths(start, --months), zone).epochMs;
  return { months, reached };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * The difference between two instants: exact for fixed units (a day is 24 hours), on the calendar of `zone`
 * for months and years (31 January to 28 February is 0 months and 28 days; to 1 March, 1 month and 1 day).
 */
export function difference(from: number, to: number, unit: DiffUnit, zone: Zone): Difference {
  const milliseconds = to - from;
  const sign = Math.sign(milliseconds);
  const [a, b] = sign < 0 ? [to, from] : [from, to];
  const { months, reached } = wholeMonths(a, b, zone);
  let rest = b - reached;
  const parts: Array<[number, string, string]> = [];
  const take = (size: number) => {
    const n = Math.floor(rest / size);
    rest -= n * size;
    return n;
  };
  parts.push([Math.floor(months / 12), 'year', 'Y'], [months % 12, 'month', 'M'], [take(FIXED.days), 'day', 'D']);
  const time: Array<[number, string, string]> = [[take(FIXED.hours), 'hour', 'H'], [take(FIXED.minutes), 'minute', 'M']];
  const seconds = rest / 1000;
  time.push([seconds, 'second', 'S']);

  const datePart = parts.filter(([n]) => n).map(([n, , s]) => `${n}${s}`).join('');
  const timePart = time.filter(([n]) => n).map(([n, , s]) => `${n}${s}`).join('');
  const iso = sign === 0 ? 'PT0S' : `${sign < 0 ? '-' : ''}P${datePart}${timePart ? `T${timePart}` : ''}`;
  const words = [...parts, ...time].filter(([n]) => n).map(([n, word]) => `${n} ${word}${n === 1 ? '' : 's'}`);
  const human = words.length === 0 ? '0 seconds' : words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;

  let chosen: Exclude<DiffUnit, 'auto'>;
  if (unit !== 'auto') chosen = unit;
  else {
    const abs = Math.abs(milliseconds);
    chosen = abs >= FIXED.days ? 'days' : abs >= FIXED.hours ? 'hours' : abs >= FIXED.minutes ? 'minutes' : abs >= FIXED.seconds || abs === 0 ? 'seconds' : 'milliseconds';
  }
  const value =
    chosen === 'months' ? sign * months : chosen === 'years' ? sign * Math.floor(months / 12) : round6(milliseconds / FIXED[chosen]);
  return {
    milliseconds,
    value: Object.is(value, -0) ? 0 : value,
    unit: chosen,
    direction: sign > 0 ? 'later' : sign < 0 ? 'earlier' : 'equal',
    iso,
    human,
  };
}
