import type { RunFeed } from '../model/run-feeds.js';
import { duration } from '../parts/format.js';
import { Icon } from '../parts/icon.js';
import { ProblemView } from '../parts/problem-view.js';

export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`badge badge-${status}`} data-status={status}>
      {(status === 'running' || status === 'queued') && <span class="pulse" aria-hidden="true" />}
      {status}
    </span>
  );
}

/** The stream's state when it is not simply live: reconnecting (and why), or stopped with the server's problem. */
export function PhaseNote({ feed }: { feed: RunFeed }) {
  const phase = feed.phase;
  if (phase.phase === 'reconnecting') {
    return (
      <p class="phase-note" role="status">
        <span class="spinner" aria-hidden="true" /> Connection lost ({phase.reason}). Reconnecting{phase.inMs > 0 ? ` in ${duration(phase.inMs)}` : ''}, attempt {phase.attempt}; it
        resumes after event {feed.model.lastSeq}, so nothing is lost or repeated.
      </p>
    );
  }
  if (phase.phase === 'failed') {
    return (
      <div class="phase-failed">
        <p class="muted small">
          <Icon name="alert" size={13} /> The event stream stopped after event {feed.model.lastSeq}.
        </p>
        <ProblemView problem={phase.problem} compact retry={() => feed.start()} />
      </div>
    );
  }
  return null;
}
