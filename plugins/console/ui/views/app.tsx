import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiClient, ApiError } from '../api/client.js';
import type { Health, Preset, Problem } from '../api/types.js';
import { AppContext, readStored, useHashRoute, useStored, type AppServices } from '../hooks.js';
import { RunFeeds } from '../model/run-feeds.js';
import { Icon } from '../parts/icon.js';
import { ProblemView } from '../parts/problem-view.js';
import { AuthDialog } from './auth-dialog.js';
import { ChatView } from './chat-view.js';
import { RunView } from './run-view.js';
import { ServerView } from './server-view.js';
import { Sidebar } from './sidebar.js';
import { ThemeToggle } from './theme-toggle.js';

export const KEY_STORAGE = 'agent-sdk.console.apiKey';

type Boot = { state: 'loading' } | { state: 'ready'; health: Health } | { state: 'unreachable'; problem: Problem };

/**
 * The console's shell: it asks /health whether a key is needed, asks for one when it is (or when the one it
 * has is refused), loads the presets, and lays out the header, the session list and the current view.
 */
export function App() {
  const [apiKey, setApiKey] = useStored(KEY_STORAGE, '');
  const keyRef = useRef(apiKey);
  keyRef.current = apiKey;
  const [authProblem, setAuthProblem] = useState<Problem | undefined>();
  const [boot, setBoot] = useState<Boot>({ state: 'loading' });
  const [presets, setPresets] = useState<readonly Preset[]>([]);
  const [presetsProblem, setPresetsProblem] = useState<Problem | undefined>();
  const [sessionsVersion, setSessionsVersion] = useState(0);
  const [announcement, setAnnouncement] = useState('');
  const [navOpen, setNavOpen] = useState(false);
  const route = useHashRoute();

  const api = useMemo(
    () => new ApiClient({ key: () => keyRef.current || undefined, onUnauthorized: (problem) => setAuthProblem(problem) }),
    [],
  );
  const feeds = useMemo(() => new RunFeeds(api), [api]);

  const announce = useCallback((message: string) => {
    // Cleared first, so saying the same thing twice is heard twice.
    setAnnouncement('');
    setTimeout(() => setAnnouncement(message), 30);
  }, []);

  // Health first: it is public, and says whether the rest needs a key.
  const loadHealth = useCallback(() => {
    api.health().then(
      (health) => {
        setBoot({ state: 'ready', health });
        if (health.auth.required && !readStored(KEY_STORAGE)) setAuthProblem({ title: 'Unauthorized', status: 401, code: 'ASDK_AUTH_REQUIRED', detail: 'This server requires an API key' });
      },
      (error: unknown) => setBoot({ state: 'unreachable', problem: error instanceof ApiError ? error.problem : { title: 'Cannot reach the server', status: 0, detail: String(error) } }),
    );
  }, [api]);
  useEffect(loadHealth, [loadHealth]);
  useEffect(() => {
    if (boot.state !== 'unreachable') return;
    const timer = setTimeout(loadHealth, 3000);
    return () => clearTimeout(timer);
  }, [boot, loadHealth]);
  // Keep the header's server status current: every 15 s, and when the window regains focus.
  const [reachable, setReachable] = useState(true);
  useEffect(() => {
    if (boot.state !== 'ready') return;
    const check = () =>
      api.health().then(
        (health) => {
          setReachable(true);
          setBoot({ state: 'ready', health });
        },
        () => setReachable(false),
      );
    const timer = setInterval(check, 15_000);
    addEventListener('focus', check);
    return () => {
      clearInterval(timer);
      removeEventListener('focus', check);
    };
  }, [boot.state, api]);

  const authed = boot.state === 'ready' && !(boot.health.auth.required && !apiKey) && !authProblem;
  useEffect(() => {
    if (!authed) return;
    const controller = new AbortController();
    api.presets(controller.signal).then(
      (page) => {
        setPresets(page.items);
        setPresetsProblem(undefined);
      },
      (error: unknown) => {
        if ((error as Error)?.name !== 'AbortError' && error instanceof ApiError && error.status !== 401) setPresetsProblem(error.problem);
      },
    );
    return () => controller.abort();
  }, [authed, apiKey, api]);

  useEffect(() => setNavOpen(false), [route.join('/')]);

  const services: AppServices = useMemo(
    () => ({ api, feeds, presets, sessionsVersion, sessionsChanged: () => setSessionsVersion((n) => n + 1), announce }),
    [api, feeds, presets, sessionsVersion, announce],
  );

  if (boot.state === 'loading') return <p class="boot">Connecting to the server…</p>;
  if (boot.state === 'unreachable') {
    return (
      <main class="boot-error">
        <ProblemView problem={boot.problem} retry={loadHealth} />
        <p class="muted">Trying again every few seconds.</p>
      </main>
    );
  }

  const [view, id, tab] = route;
  const authRequired = boot.health.auth.required;
  return (
    <AppContext.Provider value={services}>
      <a class="skip-link" href="#prompt-input" onClick={(e) => (e.preventDefault(), document.getElementById('prompt-input')?.focus())}>
        Skip to the prompt
      </a>
      <div class={`shell${navOpen ? ' nav-open' : ''}`}>
        <header class="topbar">
          <button type="button" class="btn btn-ghost nav-toggle" aria-expanded={navOpen} aria-controls="sessions-nav" onClick={() => setNavOpen(!navOpen)}>
            <Icon name="list" /> <span class="sr-only">Sessions</span>
          </button>
          <a class="brand" href="#/">
            <span class="brand-mark" aria-hidden="true">
              <svg viewBox="0 0 32 32" width="22" height="22">
                <rect width="32" height="32" rx="8" />
                <path d="M9 22l7-13 7 13M12 17h8" />
              </svg>
            </span>
            agent-sdk <span class="brand-sub">console</span>
          </a>
          <nav class="topnav" aria-label="Views">
            <a href="#/" aria-current={view !== 'server' ? 'page' : undefined}>
              <Icon name="chat" /> Runs
            </a>
            <a href="#/server" aria-current={view === 'server' ? 'page' : undefined}>
              <Icon name="server" /> Server
            </a>
            <a href="docs" target="_blank" rel="noreferrer">
              API docs
            </a>
          </nav>
          <div class="topbar-right">
            <span
              class={`health health-${reachable ? boot.health.status : 'unreachable'}`}
              role="status"
              title={reachable ? `storage: ${boot.health.storage.adapter}${boot.health.storage.ok ? '' : ` (${boot.health.storage.detail ?? 'failing'})`}` : 'GET /health failed'}
            >
              <span class="dot" aria-hidden="true" />
              {!reachable ? 'server unreachable' : boot.health.status === 'ok' ? 'connected' : boot.health.status} · v{boot.health.version}
            </span>
            {authRequired && (
              <button type="button" class="btn btn-ghost" onClick={() => setAuthProblem({ title: 'API key', status: 0, detail: 'Change the API key this console sends' })}>
                <Icon name="key" /> <span>API key</span>
              </button>
            )}
            <ThemeToggle />
          </div>
        </header>
        {authed ? <Sidebar activeSession={view === 'sessions' ? id : undefined} /> : <nav class="sidebar" id="sessions-nav" aria-label="Sessions" />}
        <main class="main" id="main">
          {!authed ? (
            <div class="boot">
              <p>An API key is needed to see runs and sessions.</p>
              <button type="button" class="btn btn-primary" onClick={() => setAuthProblem({ title: 'Unauthorized', status: 401, code: 'ASDK_AUTH_REQUIRED', detail: 'This server requires an API key' })}>
                <Icon name="key" /> Enter an API key
              </button>
            </div>
          ) : view === 'runs' && id ? (
            <RunView key={id} runId={id} tab={tab} />
          ) : view === 'server' ? (
            <ServerView health={boot.health} />
          ) : (
            <>
              {presetsProblem && <ProblemView problem={presetsProblem} compact />}
              <ChatView key={view === 'sessions' ? (id ?? '') : ''} sessionId={view === 'sessions' ? id : undefined} tab={tab} />
            </>
          )}
        </main>
      </div>
      <div class="sr-only" role="status" aria-live="polite">
        {announcement}
      </div>
      {authProblem && boot.state === 'ready' && (
        <AuthDialog
          problem={authProblem}
          hasKey={apiKey !== ''}
          required={authRequired}
          api={api}
          onKey={(key) => {
            setApiKey(key);
            keyRef.current = key;
            // Forgetting the key of a server that needs one leaves the question open.
            setAuthProblem(!key && authRequired ? { title: 'Unauthorized', status: 401, code: 'ASDK_AUTH_REQUIRED', detail: 'This server requires an API key' } : undefined);
            setSessionsVersion((n) => n + 1);
            feeds.restartFailed();
            announce(key ? 'API key saved' : 'API key forgotten');
          }}
          onClose={() => setAuthProblem(undefined)}
        />
      )}
    </AppContext.Provider>
  );
}
