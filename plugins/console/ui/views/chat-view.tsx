import { useEffect, useRef } from 'preact/hooks';
import type { RunResource } from '../api/types.js';
import { href, navigate, useApp, useLoad } from '../hooks.js';
import { ago, dateTime, truncate } from '../parts/format.js';
import { Icon } from '../parts/icon.js';
import { CopyButton } from '../parts/json-view.js';
import { ProblemView } from '../parts/problem-view.js';
import { MessagesPanel } from './messages-panel.js';
import { PromptBox } from './prompt-box.js';
import { RunTurn } from './run-turn.js';

/**
 * A session as a conversation: each run is a turn (the prompt, then what the agent did and said), the
 * prompt box continues it. Without a session: a new one starts with the first prompt.
 */
export function ChatView({ sessionId, tab }: { sessionId?: string; tab?: string }) {
  const { api } = useApp();
  const detail = useLoad((signal) => (sessionId ? api.session(sessionId, signal) : Promise.resolve(undefined)), [sessionId]);
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  // Nested runs (delegations of a multi-agent preset) share the session; they are shown under the call that made them.
  const runs: readonly RunResource[] = (detail.data?.runs.items ?? []).filter((run) => !run.parentRunId);
  const memory = tab === 'messages';

  // Stay at the bottom while text streams in, unless the reader scrolled up.
  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const onScroll = () => {
      stick.current = element.scrollHeight - element.scrollTop - element.clientHeight < 120;
    };
    const observer = new MutationObserver(() => {
      if (stick.current) element.scrollTop = element.scrollHeight;
    });
    observer.observe(element, { childList: true, subtree: true, characterData: true });
    element.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      observer.disconnect();
      element.removeEventListener('scroll', onScroll);
    };
  }, [memory]);

  const session = detail.data?.session;
  return (
    <div class="chat">
      {sessionId && (
        <header class="chat-head">
          <div class="chat-title">
            <h1>{session?.title || (runs[0] ? truncate(runs[0].input.replace(/\s+/g, ' ').trim(), 80) : detail.loading ? 'Loading session…' : 'Session')}</h1>
            <div class="chat-meta">
              <code title="session id">{sessionId}</code>
              <CopyButton text={sessionId} label="Copy id" what="Session id" />
              {session?.preset && <span class="chip">{session.preset}</span>}
              {session && (
                <span class="muted" title={dateTime(session.createdAt)}>
                  started {ago(session.createdAt)} · {runs.length} run{runs.length === 1 ? '' : 's'}
                </span>
              )}
            </div>
          </div>
          <div class="segmented" role="tablist" aria-label="Session view">
            <a role="tab" aria-selected={!memory} href={href('sessions', sessionId)}>
              Conversation
            </a>
            <a role="tab" aria-selected={memory} href={href('sessions', sessionId, 'messages')}>
              Memory
            </a>
          </div>
        </header>
      )}
      <div class="chat-scroll" ref={scroller}>
        {detail.problem ? (
          <ProblemView problem={detail.problem} retry={detail.reload} />
        ) : memory && sessionId ? (
          <MessagesPanel sessionId={sessionId} version={runs.length} />
        ) : !sessionId ? (
          <Welcome />
        ) : detail.loading && !detail.data ? (
          <p class="muted pad">Loading runs…</p>
        ) : runs.length === 0 ? (
          <p class="muted pad">This session has no runs yet.</p>
        ) : (
          <div class="turns">
            {runs.map((run, i) => (
              <RunTurn key={run.id} run={run} eager={i >= runs.length - 3} />
            ))}
            {detail.data?.runs.nextCursor && <p class="muted pad">Older runs of this session are not shown (more than 200).</p>}
          </div>
        )}
      </div>
      {!detail.problem && (
        <PromptBox
          sessionId={sessionId}
          sessionPreset={runs[runs.length - 1]?.preset ?? session?.preset}
          lastRun={runs[runs.length - 1]}
          onStarted={(accepted) => {
            stick.current = true;
            if (accepted.sessionId !== sessionId) navigate('sessions', accepted.sessionId);
            else detail.reload();
          }}
        />
      )}
    </div>
  );
}

const SUGGESTIONS: Record<string, string[]> = {
  assistant_tools: ['What is 17 * 23?', 'What time is it in Tokyo?', 'List the files', 'What is 15% of 80?'],
  assistant_basic: ['Hello', 'My name is Ada', 'What can you do?'],
  assistant_rag: ['What do my documents say about deployment?'],
  assistant_multiagent: ['What is 6 * 7?', 'What time is it in London?'],
};

function Welcome() {
  const { presets } = useApp();
  return (
    <section class="welcome" aria-labelledby="welcome-title">
      <h1 id="welcome-title">What should the agent do?</h1>
      <p class="muted">
        Pick a preset below the prompt and send. Text streams in as it is generated; tool calls, retries, fallbacks and nested runs show up as they happen.
      </p>
      <ul class="preset-grid">
        {presets.map((preset) => (
          <li key={preset.name} class="preset-card">
            <div class="preset-name">
              <Icon name={preset.agents?.length ? 'agent' : preset.tools?.length ? 'tool' : 'chat'} size={15} /> {preset.name}
            </div>
            <p>{preset.description}</p>
            <div class="suggestions">
              {(SUGGESTIONS[preset.name] ?? []).map((text) => (
                <button
                  key={text}
                  type="button"
                  class="suggestion"
                  onClick={() => document.dispatchEvent(new CustomEvent('console:suggest', { detail: { text, preset: preset.name } }))}
                >
                  {text}
                </button>
              ))}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
