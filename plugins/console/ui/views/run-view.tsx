import { useMemo } from 'preact/hooks';
import { href, navigate, useApp, useFeed, useLoad } from '../hooks.js';
import { dateTime, duration, shortId } from '../parts/format.js';
import { CopyButton } from '../parts/json-view.js';
import { ProblemView } from '../parts/problem-view.js';
import { RunTrace } from '../parts/trace.js';
import { EventsTable } from './events-table.js';
import { ReplayPanel } from './replay-panel.js';
import { PhaseNote, StatusBadge } from './run-status.js';
import { CancelButton, RunFooter } from './run-turn.js';

const TABS = [
  { id: 'trace', label: 'Trace' },
  { id: 'events', label: 'Events' },
  { id: 'replay', label: 'Replay' },
] as const;

/** One run: its record, then its trace, its raw envelopes, or a replay of them. */
export function RunView({ runId, tab }: { runId: string; tab?: string }) {
  const { api, feeds } = useApp();
  const run = useLoad((signal) => api.run(runId, signal), [runId]);
  const feed = useMemo(() => feeds.get(runId), [feeds, runId]);
  useFeed(feed, run.data !== undefined);
  const current = TABS.some((t) => t.id === tab) ? (tab as (typeof TABS)[number]['id']) : 'trace';

  if (run.problem) {
    return (
      <div class="page">
        <h1>Run {runId}</h1>
        <ProblemView problem={run.problem} retry={run.reload} />
      </div>
    );
  }
  if (!run.data) return <p class="muted pad">Loading the run…</p>;
  const record = run.data;
  const model = feed.model;
  const status = model.events.length ? model.status : record.status;
  const output = model.terminal?.type === 'run.completed' ? String(model.terminal.data.output ?? '') : record.output;
  const error = model.terminal?.type === 'run.failed' ? model.terminal.data.error : record.error;
  return (
    <div class="page run-page">
      <nav class="breadcrumb" aria-label="Breadcrumb">
        <a href={href('sessions', record.sessionId)}>Session {shortId(record.sessionId)}</a>
        {record.parentRunId && (
          <>
            {' › '}
            <a href={href('runs', record.parentRunId)}>Parent run {shortId(record.parentRunId)}</a>
          </>
        )}
        {' › '}
        <span aria-current="page">Run</span>
      </nav>
      <header class="run-title">
        <h1>
          <code>{record.id}</code>
        </h1>
        <CopyButton text={record.id} label="Copy id" what="Run id" />
        <StatusBadge status={status} />
        <span class="spacer" />
        <CancelButton run={record} feed={feed} />
      </header>
      <dl class="facts">
        <div>
          <dt>Preset</dt>
          <dd>{record.preset ?? record.agent ?? '—'}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{dateTime(record.createdAt)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{duration(model.events.length ? model.elapsedMs : record.startedAt && record.finishedAt ? Date.parse(record.finishedAt) - Date.parse(record.startedAt) : undefined)}</dd>
        </div>
        <div>
          <dt>Events</dt>
          <dd>{model.lastSeq}</dd>
        </div>
      </dl>
      <section class="io">
        <div>
          <h2 class="section-label">Input</h2>
          <p class="text io-box">{record.input}</p>
        </div>
        <div>
          <h2 class="section-label">{error ? 'Error' : 'Output'}</h2>
          {error ? (
            <p class="io-box">
              <code class="code-chip">{error.code}</code> {error.message}
            </p>
          ) : (
            <p class="text io-box">{output ?? (status === 'running' || status === 'queued' ? 'Still running…' : '—')}</p>
          )}
        </div>
      </section>
      <div class="tabs" role="tablist" aria-label="Run views" onKeyDown={(e) => tabKeys(e, runId, current)}>
        {TABS.map((t) => (
          <a
            key={t.id}
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={current === t.id}
            aria-controls="run-panel"
            tabIndex={current === t.id ? 0 : -1}
            href={t.id === 'trace' ? href('runs', runId) : href('runs', runId, t.id)}
          >
            {t.label}
            {t.id === 'events' && <span class="count">{model.events.length}</span>}
          </a>
        ))}
      </div>
      <div id="run-panel" role="tabpanel" aria-labelledby={`tab-${current}`} class="tab-panel">
        {current === 'trace' && <RunTrace model={model} live={!model.terminal} />}
        {current === 'events' && <EventsTable model={model} />}
        {current === 'replay' && <ReplayPanel model={model} />}
        <PhaseNote feed={feed} />
      </div>
      <RunFooter run={record} feed={feed} />
    </div>
  );
}

/** Arrow keys move between tabs (the ARIA tabs pattern). */
function tabKeys(event: KeyboardEvent, runId: string, current: string) {
  const index = TABS.findIndex((t) => t.id === current);
  const next = event.key === 'ArrowRight' ? index + 1 : event.key === 'ArrowLeft' ? index - 1 : event.key === 'Home' ? 0 : event.key === 'End' ? TABS.length - 1 : -2;
  if (next === -2) return;
  event.preventDefault();
  const target = TABS[(next + TABS.length) % TABS.length];
  if (target.id === 'trace') navigate('runs', runId);
  else navigate('runs', runId, target.id);
  setTimeout(() => document.getElementById(`tab-${target.id}`)?.focus(), 0);
}
