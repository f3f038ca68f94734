import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { Problem, RunResource } from '../api/types.js';
import { href, useApp, useFeed, useSeen } from '../hooks.js';
import type { RunFeed } from '../model/run-feeds.js';
import { ago, dateTime, duration, shortId, usage } from '../parts/format.js';
import { Icon } from '../parts/icon.js';
import { ProblemView } from '../parts/problem-view.js';
import { RunTrace } from '../parts/trace.js';
import { PhaseNote, StatusBadge } from './run-status.js';

/**
 * One run of a session: the prompt, then the run's trace. A run far up the page is shown from its stored
 * record until it scrolls into view; then its events are read (a finished run's stream replays and closes).
 */
export function RunTurn({ run, eager }: { run: RunResource; eager: boolean }) {
  const { feeds } = useApp();
  const feed = useMemo(() => feeds.get(run.id), [feeds, run.id]);
  const [ref, seen] = useSeen<HTMLElement>();
  useFeed(feed, eager || seen);
  const model = feed.model;
  const loaded = model.events.length > 0;
  useAnnounceEnd(feed, run);
  return (
    <article class="turn" ref={ref} aria-label={`Run ${run.id}`} data-run={run.id}>
      <div class="bubble-user">
        <p class="text">{run.input}</p>
        <time class="muted small" dateTime={run.createdAt} title={dateTime(run.createdAt)}>
          {ago(run.createdAt)}
        </time>
      </div>
      <div class="assistant">
        <RunHeader run={run} feed={feed} />
        {loaded ? (
          <RunTrace model={model} live={!model.terminal} />
        ) : run.output ? (
          <p class="text">{run.output}</p>
        ) : run.error ? (
          <p class="text">
            <code class="code-chip">{run.error.code}</code> {run.error.message}
          </p>
        ) : (
          <p class="muted">Waiting for events…</p>
        )}
        <PhaseNote feed={feed} />
        <RunFooter run={run} feed={feed} />
      </div>
    </article>
  );
}

/** Status, preset and id of a run, with Cancel while it runs. */
export function RunHeader({ run, feed }: { run: RunResource; feed: RunFeed }) {
  const status = feed.model.events.length ? feed.model.status : run.status;
  return (
    <div class="run-head">
      <StatusBadge status={status} />
      {run.preset && <span class="chip">{run.preset}</span>}
      <a href={href('runs', run.id)} class="run-link" title={`Details of ${run.id}`}>
        {shortId(run.id)}
      </a>
      <span class="spacer" />
      <CancelButton run={run} feed={feed} />
    </div>
  );
}

/** POST /run/{id}/cancel, shown while the run is going; a refusal is shown as the server's problem. */
export function CancelButton({ run, feed }: { run: RunResource; feed: RunFeed }) {
  const { api, announce } = useApp();
  const [problem, setProblem] = useState<Problem | undefined>();
  const [cancelling, setCancelling] = useState(false);
  const status = feed.model.events.length ? feed.model.status : run.status;
  if (status !== 'running' && status !== 'queued') return null;
  return (
    <>
      <button
        type="button"
        class="btn btn-small btn-danger"
        disabled={cancelling}
        onClick={async () => {
          setCancelling(true);
          setProblem(undefined);
          try {
            await api.cancelRun(run.id);
            announce('Cancel requested');
          } catch (error) {
            if (error instanceof ApiError) setProblem(error.problem);
          } finally {
            setCancelling(false);
          }
        }}
      >
        <Icon name="stop" size={13} /> {cancelling ? 'Cancelling…' : 'Cancel'}
      </button>
      {problem && <ProblemView problem={problem} compact />}
    </>
  );
}

/** Usage and cost, time, steps and tool calls; links to the run's details, raw events and replay. */
export function RunFooter({ run, feed }: { run: RunResource; feed: RunFeed }) {
  const model = feed.model;
  const loaded = model.events.length > 0;
  const u = loaded ? model.usage : run.usage;
  const elapsed = loaded ? model.elapsedMs : run.startedAt && run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.startedAt) : undefined;
  const tools = model.toolCalls.length;
  return (
    <footer class="run-foot">
      <span title="tokens in · out · cost (when the models have a price)">
        <Icon name="list" size={13} /> {usage(u)}
        {u && u.costUsd === undefined && <span class="muted"> · no price</span>}
      </span>
      <span>
        <Icon name="clock" size={13} /> {duration(elapsed)}
      </span>
      {loaded && (
        <span>
          {model.root.steps} step{model.root.steps === 1 ? '' : 's'} · {tools} tool call{tools === 1 ? '' : 's'}
        </span>
      )}
      <span class="spacer" />
      <a href={href('runs', run.id)}>Details</a>
      <a href={href('runs', run.id, 'events')}>Events</a>
      <a href={href('runs', run.id, 'replay')}>Replay</a>
    </footer>
  );
}

/** Tells the live region when a run that was seen running ends, and refreshes the session list. */
function useAnnounceEnd(feed: RunFeed, run: RunResource) {
  const { announce, sessionsChanged } = useApp();
  const watching = useRef(run.status === 'running' || run.status === 'queued');
  const terminal = feed.model.terminal;
  useEffect(() => {
    if (!terminal || !watching.current) return;
    watching.current = false;
    const what = terminal.type === 'run.completed' ? 'completed' : terminal.type === 'run.failed' ? `failed: ${terminal.data?.error?.code}` : 'was cancelled';
    announce(`Run ${what}`);
    sessionsChanged();
  }, [terminal]);
}
