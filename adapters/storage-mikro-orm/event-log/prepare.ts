import { sdkError, streamOf, type EventDraft, type EventType } from '../../../core/index.js';
import { jsonText } from '../schema/json-text.js';
import { normalizeTimestamp } from '../util/time.js';
import type { PreparedEvent } from './event-sql.js';

const EVENT_TYPE = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$/;

function invalid(what: string, reason: string, fix: string) {
  return sdkError('ASDK_STORAGE_INVALID', { what, reason, fix });
}

/**
 * Checks the drafts of one append and serialises their JSON up front, so a draft that cannot be stored fails
 * its own append (synchronously) instead of the coalesced batch it would have joined.
 */
export function prepareDrafts(drafts: readonly EventDraft[], now: () => string, postgres: boolean): PreparedEvent[] {
  if (!Array.isArray(drafts)) throw invalid('event drafts', `expected an array, found ${typeof drafts}`, 'Pass [{ type, data }, ...]');
  let appendTime: string | undefined;
  return drafts.map((draft, i) => {
    const where = `drafts[${i}]`;
    if (!draft || typeof draft !== 'object') throw invalid(where, 'expected { type, data, ts?, origin? }', 'Pass event drafts as the envelope defines them');
    if (typeof draft.type !== 'string' || !EVENT_TYPE.test(draft.type)) {
      throw invalid(`${where}.type`, `${JSON.stringify(draft.type)} is not an event type`, 'Use a dotted lower-case type such as "run.started"');
    }
    if (draft.data === undefined) throw invalid(`${where}.data`, 'data is missing', 'Pass the data of the event (an object)');
    let dataJson: string;
    let originJson: string | null = null;
    try {
      dataJson = jsonText(draft.data, postgres);
      if (draft.origin !== undefined) originJson = jsonText(draft.origin, postgres);
    } catch (error) {
      throw invalid(`${where}.data`, `it cannot be serialised as JSON (${(error as Error).message})`, 'Keep event data to plain JSON values');
    }
    const origin = draft.origin;
    if (origin !== undefined && (typeof origin !== 'object' || origin === null || typeof origin.runId !== 'string' || !Number.isInteger(origin.seq) || origin.seq < 1)) {
      throw invalid(`${where}.origin`, `expected { runId: string, seq: integer >= 1, agent? }, found ${originJson}`, 'Set origin only on events mirrored from a nested run');
    }
    const ts = draft.ts === undefined ? (appendTime ??= now()) : normalizeTimestamp(draft.ts, `${where}.ts`);
    return { type: draft.type as EventType, stream: streamOf(draft.type as EventType), ts, data: draft.data, dataJson, origin, originJson };
  });
}
