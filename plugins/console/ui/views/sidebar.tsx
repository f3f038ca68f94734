import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { Problem, SessionResource } from '../api/types.js';
import { href, useApp } from '../hooks.js';
import { ago, shortId } from '../parts/format.js';
import { Icon } from '../parts/icon.js';
import { ProblemView } from '../parts/problem-view.js';

/** The sessions, newest activity first, a page at a time; read again whenever a run starts or ends. */
export function Sidebar({ activeSession }: { activeSession?: string }) {
  const { api, sessionsVersion } = useApp();
  const [items, setItems] = useState<readonly SessionResource[] | undefined>();
  const [cursor, setCursor] = useState<string | undefined>();
  const [problem, setProblem] = useState<Problem | undefined>();
  const [loadingMore, setLoadingMore] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    api.sessions(undefined, controller.signal).then(
      (page) => {
        setItems(page.items);
        setCursor(page.nextCursor);
        setProblem(undefined);
      },
      (error: unknown) => {
        if (!controller.signal.aborted && error instanceof ApiError) setProblem(error.problem);
      },
    );
    return () => controller.abort();
  }, [api, sessionsVersion]);

  async function more() {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await api.sessions(cursor);
      setItems([...(items ?? []), ...page.items.filter((s) => !items?.some((i) => i.id === s.id))]);
      setCursor(page.nextCursor);
    } catch (error) {
      if (error instanceof ApiError) setProblem(error.problem);
    } finally {
      setLoadingMore(false);
    }
  }

  return (
    <nav class="sidebar" id="sessions-nav" aria-label="Sessions">
      <div class="sidebar-head">
        <h2>Sessions</h2>
        <a class="btn btn-small" href="#/" aria-label="New session">
          <Icon name="plus" size={14} /> New
        </a>
      </div>
      {problem && problem.status !== 401 && <ProblemView problem={problem} compact />}
      {!items && !problem && <p class="muted pad">Loading sessions…</p>}
      {items && items.length === 0 && <p class="muted pad">No sessions yet. Send a prompt to start one.</p>}
      {items && items.length > 0 && (
        <ul class="session-list">
          {items.map((session) => (
            <li key={session.id}>
              <a href={href('sessions', session.id)} aria-current={session.id === activeSession ? 'page' : undefined} class="session-item">
                <span class="session-title" title={session.id}>{session.title || shortId(session.id)}</span>
                <span class="session-meta">
                  {session.preset && <span class="chip">{session.preset}</span>}
                  <time dateTime={session.updatedAt} title={session.updatedAt}>
                    {ago(session.updatedAt)}
                  </time>
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" class="btn btn-ghost btn-block" onClick={more} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Older sessions'}
        </button>
      )}
    </nav>
  );
}
