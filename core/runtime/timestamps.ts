import type { Clock } from '../ports/clock.js';

/**
 * ISO 8601 timestamps from a clock, formatting each millisecond once: a run emits several events per
 * millisecond, and `toISOString` is the single most expensive step of building an envelope.
 */
export function isoTimestamps(clock: Pick<Clock, 'now'>): () => string {
  let lastMs = Number.NaN;
  let lastIso = '';
  return () => {
    const ms = clock.now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = new Date(ms).toISOString();
    }
    return lastIso;
  };
}
