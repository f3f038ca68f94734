import type { Problem } from '../api/types.js';
import { Icon } from './icon.js';

/** A problem+json answer, readably: title and status, code (linked to its documentation), detail, each failing input, the hint. */
export function ProblemView({ problem, retry, compact }: { problem: Problem; retry?: () => void; compact?: boolean }) {
  const docs = problem.code ? (problem.type && /^https?:/.test(problem.type) ? problem.type : `docs#${problem.code}`) : undefined;
  return (
    <div class={`problem${compact ? ' problem-compact' : ''}`} role="alert">
      <div class="problem-head">
        <Icon name="alert" size={18} />
        <strong class="problem-title">
          {problem.status ? `${problem.status} ${problem.title}` : problem.title}
        </strong>
        {problem.code && (
          <a class="code-chip" href={docs} target="_blank" rel="noreferrer" title="What this code means (API reference)">
            {problem.code}
          </a>
        )}
      </div>
      {problem.detail && <p class="problem-detail">{problem.detail}</p>}
      {problem.errors && problem.errors.length > 0 && (
        <ul class="problem-errors" aria-label="What was wrong">
          {problem.errors.map((e, i) => (
            <li key={i}>
              <code>{e.path || '(request)'}</code> {e.message}
            </li>
          ))}
        </ul>
      )}
      {problem.hint && (
        <p class="problem-hint">
          <span class="label">How to fix it</span> {problem.hint}
        </p>
      )}
      {(problem.requestId || retry) && (
        <div class="problem-foot">
          {problem.requestId && <span class="muted">request {problem.requestId}</span>}
          {retry && (
            <button type="button" class="btn btn-small" onClick={retry}>
              <Icon name="refresh" size={14} /> Try again
            </button>
          )}
        </div>
      )}
    </div>
  );
}
