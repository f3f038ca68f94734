import { cutAtCodePoint, ToolFailure } from '../../core/index.js';
import { formatOffset, instantOf, utcFromFields, wallTimeOf, type Placement, type WallTime, type Zone } from './zones.js';

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:\s*(Z|[+-]\d{2}(?::?\d{2})?))?)?$/i;

/** Earliest and latest instants the tools accept and produce: years 0001 to 9999, as ISO 8601 allows without a sign. */
const MIN_EPOCH = utcFromFields(1, 1, 1, 0, 0, 0, 0);
const MAX_EPOCH = utcFromFields(9999, 12, 31, 23, 59, 59, 999);

/** A parsed time: an instant, and how it was placed when it was a local time. */
export interface ParsedTime {
  readonly epochMs: number;
  /** True when the text carried its own offset (Z, +02:00) or was "now"; `zone` was then not used. */
  readonly hadOffset: boolean;
  /** The offset written in the text, in minutes east of UTC. */
  readonly offsetMinutes?: number;
  readonly placement: Placement;
}

function invalid(text: string, why: string): ToolFailure {
  const shown = text.length > 60 ? `${cutAtCodePoint(text, 57)}...` : text;
  return new ToolFailure(
    'TIME_INVALID_TIME',
    `"${shown}" is not a valid time: ${why}. Write ISO 8601: "2024-03-10", "2024-03-10T14:30", "2024-03-10T14:30:00Z" or "2024-03-10T14:30:00+01:00"; or "now".`,
  );
}

export function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/**
 * Parses ISO 8601 (extended format) strictly: no "March 7", no two-digit years. A time without an offset is
 * a wall-clock time in `zone`. `now` gives the current instant.
 */
export function parseTime(text: string, zone: Zone, now: number): ParsedTime {
  const trimmed = text.trim();
  if (/^now$/i.test(trimmed)) return { epochMs: now, hadOffset: true, placement: 'exact' };
  const m = ISO.exec(trimmed);
  if (!m) throw invalid(text, 'it is not in ISO 8601 form');
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const millisecond = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  if (year < 1) throw invalid(text, 'years run from 0001 to 9999');
  if (month < 1 || month > 12) throw invalid(text, `month ${m[2]} does not exist`);
  if (day < 1 || day > daysInMonth(year, month)) throw invalid(text, `${m[1]}-${m[2]} has no day ${m[3]}`);
  if (hour > 23) throw invalid(text, `hour ${m[4]} does not exist (00 to 23)`);
  if (minute > 59) throw invalid(text, `minute ${m[5]} does not exist (00 to 59)`);
  if (second > 59) throw invalid(text, `second ${m[6]} does not exist (00 to 59; leap seconds are not represented)`);
  const wall: WallTime = { year, month, day, hour, minute, second, millisecond };
  if (m[8]) {
    const offset = parseOffset(m[8]);
    if (offset === undefined) throw invalid(text, `the offset ${m[8]} is out of range`);
    const epochMs = checkRange(utcFromFields(year, month, day, hour, minute, second, millisecond) - offset * 60_000, text);
    return { epochMs, hadOffset: true, offsetMinutes: offset, placement: 'exact' };
  }
  const placed = instantOf(wall, zone);
  return { epochMs: checkRange(placed.epochMs, text), hadOffset: false, placement: placed.placement };
}

function parseOffset(text: string): number | undefined {
  if (/^z$/i.test(text)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(text)!;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? 0);
  if (hours > 23 || minutes > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function checkRange(epochMs: number, text: string): number {
  if (epochMs < MIN_EPOCH || epochMs > MAX_EPOCH) throw invalid(text, 'it falls outside the years 0001 to 9999');
  return epochMs;
}

/** An instant shown in a zone, ISO 8601 with its offset; milliseconds only when there are some. */
export interface ZonedTime {
  readonly iso: string;
  readonly utc: string;
  readonly timeZone: string;
  readonly offset: string;
  readonly epochMs: number;
  readonly weekday: string;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function formatInZone(epochMs: number, zone: Zone): ZonedTime {
  if (epochMs < MIN_EPOCH || epochMs > MAX_EPOCH) {
    throw new ToolFailure('TIME_OUT_OF_RANGE', 'The result falls outside the years 0001 to 9999, which ISO 8601 writes without a sign.');
  }
  const wall = wallTimeOf(epochMs, zone);
  if (wall.year < 1 || wall.year > 9999) {
    throw new ToolFailure('TIME_OUT_OF_RANGE', `In ${zone.name} the result falls outside the years 0001 to 9999.`);
  }
  const offset = formatOffset(wall.offsetMinutes);
  const suffix = zone.name === 'UTC' ? 'Z' : offset;
  return {
    iso: `${formatWall(wall)}${suffix}`,
    utc: new Date(epochMs).toISOString().replace('.000Z', 'Z'),
    timeZone: zone.name,
    offset,
    epochMs,
    weekday: WEEKDAYS[new Date(epochMs + wall.offsetMinutes * 60_000).getUTCDay()],
  };
}

function formatWall(w: WallTime): string {
  const p = (n: number, width = 2) => String(n).padStart(width, '0');
  const ms = w.millisecond ? `.${p(w.millisecond, 3)}` : '';
  return `${p(w.year, 4)}-${p(w.month)}-${p(w.day)}T${p(w.hour)}:${p(w.minute)}:${p(w.second)}${ms}`;
}
