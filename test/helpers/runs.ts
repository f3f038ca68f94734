import * as assert from 'uvu/assert';
import { Compile } from 'typebox/compile';
import { EventEnvelopeSchema, isTerminalEventType, type EventEnvelope, type RunHandle } from '../../core/index.js';

const checkEnvelope = Compile(EventEnvelopeSchema);

/** Every envelope of a run, from seq 1 to its terminal event. */
export async function collect(handle: RunHandle, afterSeq?: number): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = [];
  for await (const event of handle.events(afterSeq)) events.push(event);
  return events;
}

/**
 * A run's log as `[type, data]` pairs with what varies between runs made stable: durations become 0, and
 * ids given in `names` are replaced by their names.
 */
export function shape(events: readonly EventEnvelope[], names: Record<string, string> = {}): [string, unknown][] {
  return events.map((e) => [e.type, normalize(e.data, names)]);
}

function normalize(value: unknown, names: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => normalize(v, names));
  if (typeof value === 'string') return names[value] ?? value;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) out[key] = key === 'durationMs' ? 0 : normalize(child, names);
    return out;
  }
  return value;
}

/** The envelope contract: schema-valid, one run, seq 1..n without gaps, ids, exactly one terminal event, last. */
export function assertLogInvariants(events: readonly EventEnvelope[], run: { id: string; sessionId: string; orgId?: string; parentRunId?: string }): void {
  assert.ok(events.length > 0, 'no events');
  events.forEach((event, index) => {
    const value: unknown = event;
    assert.ok(checkEnvelope.Check(value), `envelope ${index + 1} (${event.type}) does not match the schema: ${JSON.stringify([...checkEnvelope.Errors(event)].slice(0, 2))}`);
    assert.is(event.seq, index + 1, 'seq has a gap');
    assert.is(event.id, `${run.id}:${event.seq}`);
    assert.is(event.runId, run.id);
    assert.is(event.sessionId, run.sessionId);
    assert.is(event.orgId, run.orgId ?? 'default');
    assert.is(event.parentRunId, run.parentRunId);
  });
  const terminals = events.filter((e) => isTerminalEventType(e.type) && !e.origin);
  assert.is(terminals.length, 1, 'exactly one terminal event');
  assert.is(events.at(-1), terminals[0], 'the terminal event is last');
  // Every tool.call of this run has exactly one tool.result or tool.error after it.
  for (const call of events.filter((e) => e.type === 'tool.call' && !e.origin)) {
    const callId = (call.data as { callId: string }).callId;
    const answers = events.filter((e) => !e.origin && (e.type === 'tool.result' || e.type === 'tool.error') && (e.data as { callId: string }).callId === callId);
    if (events.at(-1)!.type === 'run.completed') assert.is(answers.length, 1, `tool call ${callId} has ${answers.length} results`);
    else assert.ok(answers.length <= 1);
    if (answers[0]) assert.ok(answers[0].seq > call.seq);
  }
}

/** Fails the test when a promise rejection goes unhandled while `body` runs. */
export async function withoutUnhandledRejections<T>(body: () => Promise<T>): Promise<T> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    const result = await body();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(seen.map(String), [], 'unhandled rejections');
    return result;
  } finally {
    process.off('unhandledRejection', listener);
  }
}
