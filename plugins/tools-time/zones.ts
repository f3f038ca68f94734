import { cutAtCodePoint, suggest, ToolFailure } from '../../core/index.js';

/** A time zone: an IANA zone through Intl, or a fixed UTC offset. */
export interface Zone {
  /** The name to show: the IANA spelling, `UTC`, or `+05:30`. */
  readonly name: string;
  /** Minutes east of UTC at an instant. */
  offsetMinutes(epochMs: number): number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const FIXED_OFFSET = /^(?:(?:UTC|GMT)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;
const zones = new Map<string, Zone>();
let knownNames: Map<string, string> | undefined;

/** Lower-case name -> IANA spelling, for case-insensitive input and suggestions. */
function ianaNames(): Map<string, string> {
  knownNames ??= new Map(['UTC', ...Intl.supportedValuesOf('timeZone')].map((name) => [name.toLowerCase(), name]));
  return knownNames;
}

function howToWrite(): string {
  return 'Write an IANA time zone name as Area/City, e.g. "Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Sydney", or "UTC"; a fixed offset such as "+05:30" or "UTC-3" also works.';
}

/**
 * Resolves a zone name, refusing unknown ones with a message that says how to write them.
 *
 * @example
 * ```ts
 * resolveZone('europe/paris').name;   // 'Europe/Paris'
 * resolveZone('UTC+5:30').name;       // '+05:30'
 * ```
 */
export function resolveZone(input: string): Zone {
  const raw = input.trim();
  const cached = zones.get(raw);
  if (cached) return cached;
  const zone = fixedOffsetZone(raw) ?? intlZone(raw);
  if (zones.size < 1_000) zones.set(raw, zone);
  return zone;
}

function fixedOffsetZone(raw: string): Zone | undefined {
  if (/^(UTC|GMT|Z)$/i.test(raw)) return fixedZone('UTC', 0);
  const match = FIXED_OFFSET.exec(raw);
  if (!match) return undefined;
  const hours = Number(match[2]);
  const minutes = Number(match[3] ?? 0);
  if (hours > 14 || minutes > 59 || (hours === 14 && minutes > 0)) {
    throw new ToolFailure('TIME_INVALID_ZONE', `The offset "${raw}" is out of range: offsets run from -12:00 to +14:00. ${howToWrite()}`);
  }
  const total = (match[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
  return fixedZone(total === 0 ? 'UTC' : formatOffset(total), total);
}

function fixedZone(name: string, minutes: number): Zone {
  return { name, offsetMinutes: () => minutes };
}

function intlZone(raw: string): Zone {
  let format: Intl.DateTimeFormat;
  try {
    if (raw === '' || raw.length > 64) throw new RangeError('not a zone');
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: raw,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    const guess = raw ? suggest(raw, ianaNames().values()) : undefined;
    const shown = raw.length > 64 ? `${cutAtCodePoint(raw, 61)}...` : raw;
    throw new ToolFailure('TIME_INVALID_ZONE', `Unknown time zone "${shown}"${guess ? `; did you mean "${guess}"?` : '.'} ${howToWrite()}`);
  }
  // Keep the IANA spelling people know (Asia/Kolkata stays Asia/Kolkata even where ICU says Asia/Calcutta).
  const name = ianaNames().get(raw.toLowerCase()) ?? raw;
  if (name === 'UTC') return fixedZone('UTC', 0);
  return {
    name,
    offsetMinutes(epochMs) {
      const fields: Record<string, string> = {};
      for (const part of format.formatToParts(epochMs)) fields[part.type] = part.value;
      const year = fields.era === 'BC' || fields.era === 'B' ? 1 - Number(fields.year) : Number(fields.year);
      const wall = utcFromFields(year, Number(fields.month), Number(fields.day), Number(fields.hour), Number(fields.minute), Number(fields.second), 0);
      return Math.round((wall - Math.floor(epochMs / 1000) * 1000) / MINUTE);
    },
  };
}

/** Date.UTC without its two-digit-year quirk (years 0-99 would become 1900-1999). */
export function utcFromFields(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

/** The calendar fields of an instant in a zone. */
export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

export function wallTimeOf(epochMs: number, zone: Zone): WallTime & { offsetMinutes: number } {
  const offsetMinutes = zone.offsetMinutes(epochMs);
  const d = new Date(epochMs + offsetMinutes * MINUTE);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    offsetMinutes,
  };
}

/** How a local time was placed on the timeline. */
export type Placement = 'exact' | 'ambiguous-earlier' | 'skipped-forward';

/**
 * The instant a wall-clock time in a zone denotes. Around DST changes it does what most calendars do:
 * a time repeated by a fall-back is the earlier of the two, a time skipped by a spring-forward moves forward
 * by the length of the gap (02:30 on a spring-forward night in New York becomes 03:30).
 */
export function instantOf(wall: WallTime, zone: Zone): { epochMs: number; placement: Placement } {
  const asUtc = utcFromFields(wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second, wall.millisecond);
  const before = zone.offsetMinutes(asUtc - DAY);
  const after = zone.offsetMinutes(asUtc + DAY);
  const candidates = [...new Set([before, after])]
    .map((offset) => ({ offset, epochMs: asUtc - offset * MINUTE }))
    .filter((c) => zone.offsetMinutes(c.epochMs) === c.offset)
    .map((c) => c.epochMs)
    .sort((a, b) => a - b);
  if (candidates.length === 1) return { epochMs: candidates[0], placement: 'exact' };
  if (candidates.length > 1) return { epochMs: candidates[0], placement: 'ambiguous-earlier' };
  return { epochMs: asUtc - before * MINUTE, placement: 'skipped-forward' };
}

/** `+05:30`, `-03:00`, `+00:00`. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
