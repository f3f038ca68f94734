import { Type } from 'typebox';
import { defineTool, definePlugin, extensionPoints, ports, sdkError, ToolFailure, type Clock } from '../../core/index.js';
import { DIFF_UNITS, difference } from './difference.js';
import { formatInZone, parseTime } from './iso.js';
import { formatOffset, resolveZone } from './zones.js';

export { resolveZone, type Zone } from './zones.js';
export { parseTime, formatInZone } from './iso.js';
export { difference, type Difference, type DiffUnit } from './difference.js';

const TimeConfig = Type.Object(
  {
    defaultTimeZone: Type.String({
      default: 'UTC',
      minLength: 1,
      description: 'Zone used when a call names none (time.now without timeZone, local times without from)',
    }),
  },
  { additionalProperties: false },
);

const zoneField = (what: string) =>
  Type.String({ minLength: 1, maxLength: 64, description: `${what}: an IANA zone such as "Europe/Paris" or "America/New_York", "UTC", or an offset such as "+05:30"` });
const timeField = (what: string) =>
  Type.String({ minLength: 1, maxLength: 64, description: `${what}: ISO 8601 such as "2024-03-10T14:30:00Z", "2024-03-10T14:30:00+01:00", "2024-03-10T14:30" (local time) or "2024-03-10"; or "now"` });

const ZonedTime = {
  iso: Type.String({ description: 'ISO 8601 with the offset of the zone, e.g. 2024-03-10T15:30:00+01:00' }),
  utc: Type.String({ description: 'The same instant in UTC, ISO 8601 with Z' }),
  timeZone: Type.String(),
  offset: Type.String({ description: 'Offset from UTC at that instant, e.g. +01:00' }),
  epochMs: Type.Integer({ description: 'Milliseconds since 1970-01-01T00:00:00Z' }),
  weekday: Type.String(),
};

const PLACEMENT_NOTES = {
  exact: undefined,
  'ambiguous-earlier': 'That local time happens twice (clocks went back); the earlier one was used.',
  'skipped-forward': 'That local time does not exist (clocks went forward); it was moved forward by the length of the gap.',
} as const;

/** Builds the three time tools over a clock and a default zone. */
export function timeTools(clock: Clock, defaultTimeZone: string) {
  const now = defineTool({
    name: 'time.now',
    version: '1.0.0',
    description: `Gives the current date and time, in a time zone (default ${defaultTimeZone}). Use it whenever the answer depends on today's date or the current time.`,
    input: Type.Object({ timeZone: Type.Optional(zoneField('The zone to show the time in')) }, { additionalProperties: false }),
    output: Type.Object(ZonedTime, { additionalProperties: false }),
    timeoutMs: 1_000,
    capabilities: ['time'],
    async execute({ timeZone }) {
      return formatInZone(clock.now(), resolveZone(timeZone ?? defaultTimeZone));
    },
  });

  const convert = defineTool({
    name: 'time.convert',
    version: '1.0.0',
    description:
      'Converts a date-time to another time zone. A time with an offset (Z, +01:00) is an exact instant; a time without one is read as local time in "from". ' +
      'Example: {"time": "2024-03-10T09:00", "from": "America/New_York", "to": "Europe/Paris"}.',
    input: Type.Object(
      {
        time: timeField('The time to convert'),
        from: Type.Optional(zoneField(`Zone of a time given without an offset (default ${defaultTimeZone})`)),
        to: zoneField('The zone to convert to'),
      },
      { additionalProperties: false },
    ),
    output: Type.Object(
      {
        ...ZonedTime,
        input: Type.Object({ iso: Type.String(), timeZone: Type.String(), offset: Type.String() }, { additionalProperties: false, description: 'How the input was read' }),
        note: Type.Optional(Type.String({ description: 'Set when a local time fell in a DST gap or overlap' })),
      },
      { additionalProperties: false },
    ),
    timeoutMs: 1_000,
    capabilities: ['time'],
    async execute({ time, from, to }) {
      const fromZone = resolveZone(from ?? defaultTimeZone);
      const toZone = resolveZone(to);
      const parsed = parseTime(time, fromZone, clock.now());
      // Show the input as it was read: in its own offset when it had one, else in the zone it was placed in.
      const readIn = parsed.hadOffset ? resolveZone(formatOffset(parsed.offsetMinutes ?? 0)) : fromZone;
      const source = formatInZone(parsed.epochMs, readIn);
      const note = PLACEMENT_NOTES[parsed.placement];
      return {
        ...formatInZone(parsed.epochMs, toZone),
        input: { iso: source.iso, timeZone: source.timeZone, offset: source.offset },
        ...(note ? { note } : {}),
      };
    },
  });

  const diff = defineTool({
    name: 'time.diff',
    version: '1.0.0',
    description:
      'Computes how long it is from one date-time to another: the signed amount in a unit, an ISO 8601 duration and words. ' +
      'Months and years are calendar units (whole ones); seconds to weeks are exact. Example: {"from": "now", "to": "2025-12-25", "unit": "days"}.',
    input: Type.Object(
      {
        from: timeField('Start'),
        to: timeField('End'),
        unit: Type.Optional(Type.Union(DIFF_UNITS.map((u) => Type.Literal(u)), { description: 'Unit of "value"; default auto (days, hours, minutes or seconds)' })),
        timeZone: Type.Optional(zoneField(`Zone for local times and for calendar months and years (default ${defaultTimeZone})`)),
      },
      { additionalProperties: false },
    ),
    output: Type.Object(
      {
        from: Type.String({ description: 'Start, UTC' }),
        to: Type.String({ description: 'End, UTC' }),
        milliseconds: Type.Integer({ description: 'to - from' }),
        value: Type.Number(),
        unit: Type.String(),
        direction: Type.Union([Type.Literal('later'), Type.Literal('earlier'), Type.Literal('equal')], { description: 'Whether "to" is later or earlier than "from"' }),
        iso: Type.String({ description: 'ISO 8601 duration, e.g. P1Y2M3DT4H' }),
        human: Type.String(),
      },
      { additionalProperties: false },
    ),
    timeoutMs: 1_000,
    capabilities: ['time'],
    async execute({ from, to, unit, timeZone }) {
      const zone = resolveZone(timeZone ?? defaultTimeZone);
      const current = clock.now();
      const start = parseTime(from, zone, current).epochMs;
      const end = parseTime(to, zone, current).epochMs;
      const utc = resolveZone('UTC');
      return { from: formatInZone(start, utc).utc, to: formatInZone(end, utc).utc, ...difference(start, end, unit ?? 'auto', zone) };
    },
  });

  return [now, convert, diff] as const;
}

/**
 * The time tool pack (`tools-time`): time.now, time.convert, time.diff over IANA zones.
 *
 * @example
 * ```yaml
 * tools-time:
 *   defaultTimeZone: Europe/Paris
 * ```
 */
export const timePlugin = definePlugin({
  id: 'tools-time',
  version: '1.0.0',
  description: 'Time tools: the current time in a zone, conversions and differences (IANA zones, ISO 8601)',
  config: TimeConfig,
  requires: { clock: ports.clock },
  init({ config, deps, contribute }) {
    // Refuse a bad default zone at start, not on the first call.
    let zone;
    try {
      zone = resolveZone(config.defaultTimeZone);
    } catch (error) {
      if (!(error instanceof ToolFailure)) throw error;
      throw sdkError('ASDK_TOOLS_TIME_ZONE_INVALID', { zone: config.defaultTimeZone, reason: error.message }, { cause: error });
    }
    contribute(extensionPoints.tools, ...timeTools(deps.clock, zone.name));
  },
});

export default timePlugin;
