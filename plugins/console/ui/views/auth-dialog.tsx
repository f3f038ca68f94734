import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiClient, ApiError } from '../api/client.js';
import type { Problem } from '../api/types.js';
import { Icon } from '../parts/icon.js';
import { ProblemView } from '../parts/problem-view.js';

interface AuthDialogProps {
  /** Why it opened: ASDK_AUTH_REQUIRED, ASDK_AUTH_INVALID_KEY, or the user asked. */
  readonly problem: Problem;
  readonly hasKey: boolean;
  readonly required: boolean;
  readonly api: ApiClient;
  onKey(key: string): void;
  onClose(): void;
}

/**
 * Asks for the API key (a modal `<dialog>`: focus stays inside, Escape closes it). The key is tried against
 * the server before it is kept, so a wrong key is reported here, with the server's own words, and never saved.
 */
export function AuthDialog({ problem, hasKey, required, onKey, onClose }: AuthDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [key, setKey] = useState('');
  const [show, setShow] = useState(false);
  const [checking, setChecking] = useState(false);
  const [refusal, setRefusal] = useState<Problem | undefined>();

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  const reason =
    problem.code === 'ASDK_AUTH_INVALID_KEY'
      ? 'The server refused the API key this console had saved. Enter a valid key.'
      : problem.code === 'ASDK_AUTH_REQUIRED'
        ? 'This server requires an API key for everything but /health.'
        : 'The key this console sends with every request.';

  async function submit(event: Event) {
    event.preventDefault();
    const candidate = key.trim();
    if (!candidate) return;
    setChecking(true);
    setRefusal(undefined);
    try {
      await new ApiClient({ key: () => candidate }).json('sessions?limit=1');
      onKey(candidate);
    } catch (error) {
      setRefusal(error instanceof ApiError ? error.problem : { title: 'The key could not be checked', status: 0, detail: String(error) });
    } finally {
      setChecking(false);
    }
  }

  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby="auth-title"
      aria-describedby="auth-reason"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form onSubmit={submit} class="dialog-body">
        <h2 id="auth-title">
          <Icon name="key" size={18} /> API key
        </h2>
        <p id="auth-reason">{reason}</p>
        <label class="field" for="api-key">
          <span>API key</span>
          <div class="input-row">
            <input
              id="api-key"
              name="api-key"
              type={show ? 'text' : 'password'}
              autoComplete="off"
              spellcheck={false}
              autoFocus
              value={key}
              onInput={(e) => setKey((e.target as HTMLInputElement).value)}
              aria-invalid={refusal ? 'true' : undefined}
              aria-describedby="api-key-help"
            />
            <button type="button" class="btn btn-ghost btn-small" aria-pressed={show} onClick={() => setShow(!show)}>
              {show ? 'Hide' : 'Show'}
            </button>
          </div>
        </label>
        <p id="api-key-help" class="muted small">
          Sent as <code>Authorization: Bearer &lt;key&gt;</code> and kept in this browser&apos;s localStorage. Keys are set on the server with{' '}
          <code>AGENT_SDK_API_KEY</code> or <code>server.apiKeys</code>.
        </p>
        {refusal &&
          (refusal.status === 401 ? (
            <div class="problem problem-compact" role="alert">
              <div class="problem-head">
                <Icon name="alert" size={18} />
                <strong class="problem-title">The server refused this key</strong>
                {refusal.code && <span class="code-chip">{refusal.code}</span>}
              </div>
              {refusal.detail && <p class="problem-detail">{refusal.detail}</p>}
              {refusal.hint && <p class="problem-hint">{refusal.hint}</p>}
            </div>
          ) : (
            <ProblemView problem={refusal} compact />
          ))}
        <div class="dialog-actions">
          {hasKey && (
            <button type="button" class="btn btn-ghost" onClick={() => onKey('')}>
              Forget saved key
            </button>
          )}
          <span class="spacer" />
          <button type="button" class="btn" onClick={onClose}>
            {required && !hasKey ? 'Not now' : 'Close'}
          </button>
          <button type="submit" class="btn btn-primary" disabled={checking || !key.trim()}>
            {checking ? 'Checking…' : 'Use this key'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
