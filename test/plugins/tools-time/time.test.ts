import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { extensionPoints, type Clock } from '../../../core/index.js';
import { startTestKernel } from '../../../testing.js';
import { rejection } from '../../helpers/kernel.js';
import { timePlugin, timeTools } from '../../../plugins/tools-time/index.js';
import { parseTime } from '../../../plugins/tools-time/iso.js';
import { resolveZone } from '../../../plugins/tools-time/zones.js';
import { accepts, assertWellFormed, callTool, toolFailure } from '../tools-support/tool-harness.js';

const NOW = Date.parse('2024-03-10T12:00:00Z'); // a Sunday; US clocks went forward at 07:00Z
const clock: Clock = { now: () => NOW, sleep: async () => {} };
const [now, convert, diff] = timeTools(clock, 'UTC');

test('the three tools are well formed and strict', () => {
  for (const tool of [now, convert, diff]) assertWellFormed(tool);
  assert.ok(accepts(now.input, {}));
  assert.not.ok(accepts(now.input, { timezone: 'UTC' }), 'misspelt key refused');
  assert.not.ok(accepts(convert.input, { time: 'now' }), 'to is required');
  assert.not.ok(accepts(diff.input, { from: 'now', to: 'now', unit: 'fortnights' }));
  assert.not.ok(accepts(diff.input, { from: 1, to: 'now' }));
});

test('time.now in UTC, in IANA zones (any case), and in fixed offsets', async () => {
  assert.equal(await callTool(now, {}), {
    iso: '2024-03-10T12:00:00Z', utc: '2024-03-10T12:00:00Z', timeZone: 'UTC', offset: '+00:00', epochMs: NOW, weekday: 'Sunday',
  });
  const kolkata = await callTool(now, { timeZone: 'Asia/Kolkata' });
  assert.is(kolkata.iso, '2024-03-10T17:30:00+05:30');
  assert.is(kolkata.timeZone, 'Asia/Kolkata', 'the spelling people know is kept');
  const paris = await callTool(now, { timeZone: 'europe/paris' });
  assert.is(paris.iso, '2024-03-10T13:00:00+01:00');
  assert.is(paris.timeZone, 'Europe/Paris');
  assert.is((await callTool(now, { timeZone: 'America/New_York' })).iso, '2024-03-10T08:00:00-04:00');
  assert.is((await callTool(now, { timeZone: 'UTC-3' })).iso, '2024-03-10T09:00:00-03:00');
  assert.is((await callTool(now, { timeZone: '+0545' })).iso, '2024-03-10T17:45:00+05:45');
  assert.is((await callTool(now, { timeZone: 'Australia/Lord_Howe' })).offset, '+11:00');
});

test('unknown zones are refused with a suggestion and how to write one', async () => {
  const typo = await toolFailure(callTool(now, { timeZone: 'Europe/Pariss' }));
  assert.is(typo.code, 'TIME_INVALID_ZONE');
  assert.match(typo.message, 'did you mean "Europe/Paris"?');
  assert.match(typo.message, 'IANA time zone name as Area/City');
  for (const bad of ['Mars/Olympus_Mons', 'Paris', '+15:00', 'UTC+99', 'Europe/../../etc/passwd', 'x'.repeat(64)]) {
    const failure = await toolFailure(callTool(now, { timeZone: bad }));
    assert.is(failure.code, 'TIME_INVALID_ZONE', bad);
    assert.match(failure.message, '"Europe/Paris"', bad);
  }
});

test('time.convert: local times in "from", offsets win, output in "to"', async () => {
  const r = await callTool(convert, { time: '2024-03-10T09:00', from: 'America/New_York', to: 'Europe/Paris' });
  assert.is(r.iso, '2024-03-10T14:00:00+01:00');
  assert.is(r.utc, '2024-03-10T13:00:00Z');
  assert.equal(r.input, { iso: '2024-03-10T09:00:00-04:00', timeZone: 'America/New_York', offset: '-04:00' });
  assert.is(r.note, undefined);

  const withOffset = await callTool(convert, { time: '2024-06-01T12:00:00.250+02:00', from: 'Asia/Tokyo', to: 'UTC' });
  assert.is(withOffset.iso, '2024-06-01T10:00:00.250Z');
  assert.equal(withOffset.input, { iso: '2024-06-01T12:00:00.250+02:00', timeZone: '+02:00', offset: '+02:00' });

  const dateOnly = await callTool(convert, { time: '2024-12-25', from: 'Asia/Tokyo', to: 'America/Los_Angeles' });
  assert.is(dateOnly.iso, '2024-12-24T07:00:00-08:00');
  assert.is(dateOnly.weekday, 'Tuesday');

  const fromNow = await callTool(convert, { time: 'now', to: 'Asia/Tokyo' });
  assert.is(fromNow.iso, '2024-03-10T21:00:00+09:00');
});

test('time.convert: DST gaps move forward, overlaps take the earlier instant, and say so', async () => {
  const gap = await callTool(convert, { time: '2024-03-10T02:30', from: 'America/New_York', to: 'UTC' });
  assert.is(gap.iso, '2024-03-10T07:30:00Z');
  assert.is(gap.input.iso, '2024-03-10T03:30:00-04:00');
  assert.match(gap.note, 'does not exist');
  const overlap = await callTool(convert, { time: '2024-11-03T01:30', from: 'America/New_York', to: 'UTC' });
  assert.is(overlap.iso, '2024-11-03T05:30:00Z');
  assert.match(overlap.note, 'happens twice');
  const southern = await callTool(convert, { time: '2024-04-07T02:30', from: 'Australia/Sydney', to: 'UTC' });
  assert.is(southern.iso, '2024-04-06T15:30:00Z', 'Sydney fall-back: earlier of the two (AEDT)');
});

test('times that are not ISO 8601, or not on the calendar, are refused with an example', async () => {
  for (const bad of ['March 7, 2024', '2024-02-30', '2023-02-29', '2024-13-01', '2024-03-10T24:00', '2024-03-10T14:60', '2024-03-10T14:30:60',
    '99-01-01', '2024-3-1', '2024-03-10T10:00+24:00', '0000-01-01', '1710072000000', '', ' ', '2024-03-10T10:00:00Zjunk', 'tomorrow']) {
    const failure = await toolFailure(convert.execute({ time: bad, to: 'UTC' } as any, {} as any));
    assert.is(failure.code, 'TIME_INVALID_TIME', bad);
    assert.match(failure.message, '2024-03-10T14:30:00Z', bad);
  }
  assert.is((await callTool(convert, { time: '2024-02-29T23:59:59.999Z', to: 'UTC' })).epochMs, Date.parse('2024-02-29T23:59:59.999Z'));
  assert.is((await callTool(convert, { time: '2024-03-10 14:30:00+0100', to: 'UTC' })).iso, '2024-03-10T13:30:00Z');
  assert.is((await toolFailure(callTool(convert, { time: '9999-12-31T23:00', to: '+05:00' }))).code, 'TIME_OUT_OF_RANGE');
});

test('time.diff: exact units, calendar months and years, signs and words', async () => {
  const month = await callTool(diff, { from: '2024-01-31T00:00:00Z', to: '2024-03-01T00:00:00Z', unit: 'months' });
  assert.equal(month, { from: '2024-01-31T00:00:00Z', to: '2024-03-01T00:00:00Z', milliseconds: 30 * 86_400_000, value: 1, unit: 'months', direction: 'later', iso: 'P1M1D', human: '1 month and 1 day' });
  const back = await callTool(diff, { from: '2024-03-01T00:00:00Z', to: '2024-01-31T00:00:00Z', unit: 'months' });
  assert.is(back.value, -1);
  assert.is(back.direction, 'earlier');
  assert.is(back.iso, '-P1M1D');
  assert.is((await callTool(diff, { from: '1990-05-01', to: '2024-04-30', unit: 'years' })).value, 33);
  assert.is((await callTool(diff, { from: '1990-05-01', to: '2024-05-01', unit: 'years' })).value, 34);
  const mixed = await callTool(diff, { from: '2023-01-15T08:00:00Z', to: '2024-03-17T10:30:15Z' });
  assert.is(mixed.iso, 'P1Y2M2DT2H30M15S');
  assert.is(mixed.human, '1 year, 2 months, 2 days, 2 hours, 30 minutes and 15 seconds');
  assert.is(mixed.unit, 'days');
  const dstDay = await callTool(diff, { from: '2024-03-10', to: '2024-03-11', timeZone: 'America/New_York', unit: 'hours' });
  assert.is(dstDay.value, 23, 'the spring-forward day has 23 hours');
  const half = await callTool(diff, { from: '2024-01-01T00:00:00.5Z', to: '2024-01-01T00:00:01Z' });
  assert.equal([half.milliseconds, half.unit, half.value, half.iso], [500, 'milliseconds', 500, 'PT0.5S']);
  const same = await callTool(diff, { from: 'now', to: '2024-03-10T13:00:00+01:00' });
  assert.equal([same.value, same.direction, same.iso, same.human], [0, 'equal', 'PT0S', '0 seconds']);
  const christmas = await callTool(diff, { from: 'now', to: '2024-12-25T12:00:00Z', unit: 'weeks' });
  assert.is(christmas.value, 41.428571, '290 days, in weeks to 6 decimals');
  assert.is((await callTool(diff, { from: 'now', to: '2024-03-10T13:30:00Z', unit: 'minutes' })).value, 90);
  assert.is((await callTool(diff, { from: 'now', to: '2024-03-10T12:20:00Z', unit: 'hours' })).value, 0.333333);
});

test('the plugin validates its default zone and uses it', async () => {
  const kernel = await startTestKernel({ plugins: [timePlugin], config: { 'tools-time': { defaultTimeZone: 'Asia/Tokyo' } } });
  const tools = kernel.contributions(extensionPoints.tools).map((t) => t.item);
  assert.equal(tools.map((t) => t.name), ['time.now', 'time.convert', 'time.diff']);
  const result = await callTool(tools[0], {});
  assert.is(result.timeZone, 'Asia/Tokyo');
  assert.ok(Math.abs(result.epochMs - Date.now()) < 5_000, 'uses the kernel clock');
  await kernel.stop();

  const error = await rejection(startTestKernel({ plugins: [timePlugin], config: { 'tools-time': { defaultTimeZone: 'Asia/Tokio' } } }));
  assert.is(error.code, 'ASDK_PLUGIN_INIT_FAILED');
  assert.is(error.cause.code, 'ASDK_TOOLS_TIME_ZONE_INVALID');
  assert.match(error.message, 'did you mean "Asia/Tokyo"?');
});

test('a long unknown zone or time is quoted cut on a code point boundary', () => {
  const zone = (() => {
    try {
      resolveZone(`${'x'.repeat(60)}😀😀 zone`);
    } catch (error) {
      return (error as Error).message;
    }
  })()!;
  assert.ok(zone.startsWith(`Unknown time zone "${'x'.repeat(60)}..."`), zone);
  const time = (() => {
    try {
      parseTime(`${'x'.repeat(56)}😀😀 o'clock`, resolveZone('UTC'), NOW);
    } catch (error) {
      return (error as Error).message;
    }
  })()!;
  assert.ok(!/\p{Cs}/u.test(time), time);
  assert.match(time, `${'x'.repeat(56)}...`);
});

test.run();
