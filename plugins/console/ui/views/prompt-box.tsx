import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { Problem, RunAccepted, RunResource, SessionResource } from '../api/types.js';
import { navigate, readStored, useApp, useFeed } from '../hooks.js';
import { truncate } from '../parts/format.js';
import { Icon } from '../parts/icon.js';
import { ProblemView } from '../parts/problem-view.js';

const PRESET_STORAGE = 'agent-sdk.console.preset';

interface PromptBoxProps {
  readonly sessionId?: string;
  /** The preset the session has been using: the default when continuing it. */
  readonly sessionPreset?: string;
  /** The session's latest run: while it runs, Send becomes Stop. */
  readonly lastRun?: RunResource;
  onStarted(accepted: RunAccepted): void;
}

/**
 * The prompt: a message, the preset to run, and the session (new, or one to continue). Enter sends,
 * Shift+Enter starts a new line. A refused request shows the server's problem under the box and keeps the text.
 */
export function PromptBox({ sessionId, sessionPreset, lastRun, onStarted }: PromptBoxProps) {
  const { api, presets, feeds, sessionsVersion, sessionsChanged, announce } = useApp();
  const [text, setText] = useState('');
  const [chosen, setPreset] = useState(() => sessionPreset ?? readStored(PRESET_STORAGE) ?? '');
  // What was chosen, when the server has it; else assistant_tools, else the first preset. Derived, not
  // stored by an effect, so presets arriving late can never undo a choice made meanwhile.
  const preset = presets.some((p) => p.name === chosen) ? chosen : (presets.find((p) => p.name === 'assistant_tools') ?? presets[0])?.name ?? '';
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>();
  const [sessions, setSessions] = useState<readonly SessionResource[]>([]);
  const input = useRef<HTMLTextAreaElement>(null);

  const lastFeed = useMemo(() => (lastRun ? feeds.get(lastRun.id) : undefined), [feeds, lastRun?.id]);
  useFeed(lastFeed, false);
  const running = lastFeed ? (lastFeed.model.events.length ? !lastFeed.model.terminal : lastRun?.status === 'running' || lastRun?.status === 'queued') : false;

  useEffect(() => {
    if (sessionPreset) setPreset(sessionPreset);
  }, [sessionPreset]);
  useEffect(() => {
    const controller = new AbortController();
    api.sessions(undefined, controller.signal).then(
      (page) => setSessions(page.items),
      () => undefined,
    );
    return () => controller.abort();
  }, [api, sessionsVersion]);
  // Suggestions on the welcome page fill the box.
  useEffect(() => {
    const onSuggest = (event: Event) => {
      const { text: suggested, preset: suggestedPreset } = (event as CustomEvent<{ text: string; preset: string }>).detail;
      setText(suggested);
      setPreset(suggestedPreset);
      input.current?.focus();
    };
    document.addEventListener('console:suggest', onSuggest);
    return () => document.removeEventListener('console:suggest', onSuggest);
  }, []);
  // Grow with the text, up to a limit.
  useEffect(() => {
    const element = input.current;
    if (!element) return;
    element.style.height = 'auto';
    element.style.height = `${Math.min(element.scrollHeight, 240)}px`;
  }, [text]);

  async function send() {
    const message = text.trim();
    if (!message || sending || !preset) return;
    if (running) {
      announce('A run of this session is still going: stop it first, or wait for it to end');
      return;
    }
    setSending(true);
    setProblem(undefined);
    try {
      const accepted = await api.startRun({ input: message, preset, ...(sessionId && { sessionId }) });
      try {
        localStorage.setItem(PRESET_STORAGE, preset);
      } catch {
        // storage disabled
      }
      // Follow it now: its first events arrive while the session view loads.
      feeds.get(accepted.runId).start();
      setText('');
      announce('Run started');
      sessionsChanged();
      onStarted(accepted);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : { title: 'The run could not be started', status: 0, detail: String(error) });
    } finally {
      setSending(false);
      input.current?.focus();
    }
  }

  const current = presets.find((p) => p.name === preset);
  const listed = sessionId && !sessions.some((s) => s.id === sessionId) ? [{ id: sessionId, title: undefined } as SessionResource, ...sessions] : sessions;
  return (
    <form
      class="prompt"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      {problem && <ProblemView problem={problem} compact />}
      <label for="prompt-input" class="sr-only">
        Message
      </label>
      <textarea
        id="prompt-input"
        ref={input}
        rows={1}
        value={text}
        placeholder={sessionId ? 'Continue the session…' : 'Ask the agent something…'}
        aria-describedby="prompt-keys"
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void send();
          }
        }}
      />
      <div class="prompt-bar">
        <label class="inline-field">
          <span>Preset</span>
          <select value={preset} onChange={(e) => setPreset((e.target as HTMLSelectElement).value)} title={current?.description}>
            {presets.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label class="inline-field">
          <span>Session</span>
          <select
            value={sessionId ?? ''}
            onChange={(e) => {
              const value = (e.target as HTMLSelectElement).value;
              if (value) navigate('sessions', value);
              else navigate('');
            }}
          >
            <option value="">New session</option>
            {listed.map((s) => (
              <option key={s.id} value={s.id}>
                {s.id === sessionId ? 'Continue: ' : ''}
                {s.title ? truncate(s.title, 40) : s.id}
              </option>
            ))}
          </select>
        </label>
        <span id="prompt-keys" class="muted small prompt-keys">
          <kbd>Enter</kbd> sends · <kbd>Shift</kbd>+<kbd>Enter</kbd> new line
        </span>
        <span class="spacer" />
        {running && lastRun ? (
          <button
            type="button"
            class="btn btn-danger"
            onClick={() =>
              api.cancelRun(lastRun.id).then(
                () => announce('Cancel requested'),
                (error: unknown) => error instanceof ApiError && setProblem(error.problem),
              )
            }
          >
            <Icon name="stop" size={14} /> Stop
          </button>
        ) : (
          <button type="submit" class="btn btn-primary" disabled={sending || !text.trim() || !preset}>
            <Icon name="send" size={14} /> {sending ? 'Sending…' : 'Send'}
          </button>
        )}
      </div>
    </form>
  );
}
