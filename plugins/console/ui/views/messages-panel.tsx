import { useApp, useLoad } from '../hooks.js';
import { JsonView } from '../parts/json-view.js';
import { ProblemView } from '../parts/problem-view.js';
import { href } from '../hooks.js';
import { shortId } from '../parts/format.js';

/** The session's memory as the next run will see it (GET /sessions/{id}/messages): compaction included. */
export function MessagesPanel({ sessionId, version }: { sessionId: string; version: number }) {
  const { api } = useApp();
  const messages = useLoad((signal) => api.messages(sessionId, signal), [sessionId, version]);
  if (messages.problem) return <ProblemView problem={messages.problem} retry={messages.reload} />;
  if (!messages.data) return <p class="muted pad">Loading messages…</p>;
  if (!messages.data.items.length) return <p class="muted pad">Nothing in memory yet.</p>;
  return (
    <ol class="messages" aria-label="Session memory">
      {messages.data.items.map(({ position, runId, message }) => {
        const { role, content, ...rest } = message;
        return (
          <li key={position} class={`message message-${role}`}>
            <div class="message-head">
              <span class="message-role">{role}</span>
              <span class="muted">#{position}</span>
              {runId && (
                <a href={href('runs', runId)} title={runId}>
                  {shortId(runId)}
                </a>
              )}
            </div>
            {content && <p class="text">{content}</p>}
            {Object.keys(rest).length > 0 && <JsonView value={rest} label={`Other fields of message ${position}`} />}
          </li>
        );
      })}
    </ol>
  );
}
