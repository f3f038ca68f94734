import { useState } from 'preact/hooks';
import type { Envelope } from '../api/types.js';
import type { RunModel } from '../model/run-model.js';
import { offset, preview } from '../parts/format.js';
import { Icon } from '../parts/icon.js';
import { CopyButton, JsonView } from '../parts/json-view.js';

const PAGE = 300;

/** The run's envelopes exactly as the server sent them: filterable, each one copyable, all of them as JSON or JSONL. */
export function EventsTable({ model }: { model: RunModel }) {
  const [filter, setFilter] = useState('');
  const [stream, setStream] = useState('');
  const [limit, setLimit] = useState(PAGE);
  const needle = filter.trim().toLowerCase();
  const shown = model.events.filter(
    (e) => (!stream || e.stream === stream) && (!needle || e.type.toLowerCase().includes(needle) || JSON.stringify(e.data).toLowerCase().includes(needle)),
  );
  const start = model.firstTs;
  return (
    <div class="events">
      <div class="toolbar">
        <label class="inline-field">
          <span>Filter</span>
          <input type="search" value={filter} placeholder="type or text" onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        </label>
        <label class="inline-field">
          <span>Stream</span>
          <select value={stream} onChange={(e) => setStream((e.target as HTMLSelectElement).value)}>
            <option value="">all</option>
            <option value="lifecycle">lifecycle</option>
            <option value="assistant">assistant</option>
            <option value="tool">tool</option>
          </select>
        </label>
        <span class="muted small">
          {shown.length} of {model.events.length}
        </span>
        <span class="spacer" />
        <CopyButton text={() => JSON.stringify(model.events, null, 2)} label="Copy all as JSON" what="All envelopes" />
        <button type="button" class="btn btn-ghost btn-small" onClick={() => download(`${model.runId}.jsonl`, model.events)}>
          <Icon name="download" size={14} /> Download .jsonl
        </button>
      </div>
      <ol class="event-list" aria-label="Envelopes">
        {shown.slice(0, limit).map((e) => (
          <EventRow key={e.seq} envelope={e} start={start} />
        ))}
      </ol>
      {shown.length > limit && (
        <button type="button" class="btn btn-ghost btn-block" onClick={() => setLimit(limit + PAGE)}>
          Show {Math.min(PAGE, shown.length - limit)} more
        </button>
      )}
    </div>
  );
}

function EventRow({ envelope, start }: { envelope: Envelope; start?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <li class={`event-row stream-${envelope.stream}`} data-seq={envelope.seq}>
      <details onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
        <summary>
          <span class="seq">{envelope.seq}</span>
          <span class="ev-time">{offset(envelope.ts, start)}</span>
          <span class={`chip stream-chip`}>{envelope.stream}</span>
          <span class="event-type">{envelope.type}</span>
          {envelope.origin && (
            <span class="chip origin-chip" title={`mirrored from ${envelope.origin.runId} (seq ${envelope.origin.seq})`}>
              {envelope.origin.agent ?? 'nested'} #{envelope.origin.seq}
            </span>
          )}
          <span class="event-preview">{preview(envelope.data, 100)}</span>
        </summary>
        {open && (
          <div class="event-body">
            <CopyButton text={() => JSON.stringify(envelope, null, 2)} label="Copy envelope" what={`Envelope ${envelope.seq}`} />
            <JsonView value={envelope} label={`Envelope ${envelope.seq}`} />
          </div>
        )}
      </details>
    </li>
  );
}

function download(name: string, events: readonly Envelope[]) {
  const blob = new Blob([events.map((e) => JSON.stringify(e)).join('\n') + '\n'], { type: 'application/x-ndjson' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
