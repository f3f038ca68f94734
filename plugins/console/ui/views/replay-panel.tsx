import { useEffect, useRef, useState } from 'preact/hooks';
import { RunModel } from '../model/run-model.js';
import { duration } from '../parts/format.js';
import { Icon } from '../parts/icon.js';
import { JsonView } from '../parts/json-view.js';
import { RunTrace, describeEvent } from '../parts/trace.js';

const PACES = [
  { id: 'real', label: 'Real timing', gap: (ms: number) => Math.min(Math.max(ms, 16), 2000) },
  { id: 'fast', label: 'Real timing ×4', gap: (ms: number) => Math.min(Math.max(ms / 4, 8), 500) },
  { id: 'slow', label: '4 events / s', gap: () => 250 },
  { id: 'steady', label: '20 events / s', gap: () => 50 },
] as const;

/**
 * A finished (or running) run rebuilt from its stored events: step through them one by one, or play them
 * again with their original timing. The trace on the left is exactly what the live view showed at that point.
 */
export function ReplayPanel({ model: source }: { model: RunModel }) {
  const total = source.events.length;
  const [position, setPosition] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [pace, setPace] = useState<(typeof PACES)[number]['id']>('real');
  const replica = useRef<RunModel>(new RunModel(source.runId));
  const [, rerender] = useState(0);

  // Move the replica to `position`: forward by applying, backward by rebuilding.
  if (replica.current.events.length > position) replica.current = RunModel.from(source.runId, source.events, position);
  while (replica.current.events.length < position && replica.current.events.length < total) replica.current.apply(source.events[replica.current.events.length]);

  useEffect(() => {
    if (!playing) return;
    if (position >= total) {
      setPlaying(false);
      return;
    }
    const previous = source.events[position - 1];
    const next = source.events[position];
    const gap = previous ? Date.parse(next.ts) - Date.parse(previous.ts) : 0;
    const timer = setTimeout(() => setPosition((p) => p + 1), PACES.find((p) => p.id === pace)!.gap(Number.isFinite(gap) ? gap : 0));
    return () => clearTimeout(timer);
  }, [playing, position, total, pace]);

  const go = (to: number) => {
    setPosition(Math.max(0, Math.min(total, to)));
    rerender((n) => n + 1);
  };
  const current = position > 0 ? source.events[position - 1] : undefined;
  return (
    <div
      class="replay"
      onKeyDown={(e) => {
        if ((e.target as HTMLElement).tagName === 'SELECT') return;
        if (e.key === 'ArrowRight') go(position + 1);
        else if (e.key === 'ArrowLeft') go(position - 1);
        else if (e.key === 'Home') go(0);
        else if (e.key === 'End') go(total);
        else return;
        e.preventDefault();
      }}
    >
      <div class="toolbar replay-controls" role="group" aria-label="Replay controls">
        <button type="button" class="btn btn-small" onClick={() => (setPlaying(false), go(0))} aria-label="Back to the start" disabled={position === 0}>
          <Icon name="restart" size={14} />
        </button>
        <button type="button" class="btn btn-small" onClick={() => (setPlaying(false), go(position - 1))} aria-label="Previous event" disabled={position === 0}>
          <Icon name="prev" size={14} />
        </button>
        <button
          type="button"
          class="btn btn-small btn-primary"
          onClick={() => {
            if (!playing && position >= total) go(0);
            setPlaying(!playing);
          }}
          aria-label={playing ? 'Pause' : 'Play'}
          disabled={total === 0}
        >
          <Icon name={playing ? 'pause' : 'play'} size={14} /> {playing ? 'Pause' : 'Play'}
        </button>
        <button type="button" class="btn btn-small" onClick={() => (setPlaying(false), go(position + 1))} aria-label="Next event" disabled={position >= total}>
          <Icon name="next" size={14} />
        </button>
        <input
          type="range"
          class="scrubber"
          min={0}
          max={total}
          value={position}
          aria-label="Replay position (events applied)"
          aria-valuetext={`${position} of ${total} events`}
          onInput={(e) => (setPlaying(false), go(Number((e.target as HTMLInputElement).value)))}
        />
        <span class="replay-position" aria-live="polite">
          {position} / {total}
          {current && ` · ${describeEvent(current.type, current.data).label}`}
        </span>
        <label class="inline-field">
          <span>Pace</span>
          <select value={pace} onChange={(e) => setPace((e.target as HTMLSelectElement).value as typeof pace)}>
            {PACES.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p class="muted small">
        ← → step · Home/End jump · real timing caps pauses at {duration(2000)}. Rebuilt from the stored events: the same trace the live view drew.
      </p>
      <div class="replay-body">
        <div class="replay-trace" data-testid="replay-trace">
          {position === 0 ? <p class="muted pad">Press Play, or step with →.</p> : <RunTrace model={replica.current} />}
        </div>
        <aside class="replay-event" aria-label="Current event">
          <h3 class="section-label">Event {current ? current.seq : '—'}</h3>
          {current ? <JsonView value={current} label={`Envelope ${current.seq}`} /> : <p class="muted">None applied yet.</p>}
        </aside>
      </div>
    </div>
  );
}
