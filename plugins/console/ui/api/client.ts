import { cutAtCodePoint } from '../../../../core/util/code-points.js';
import type { Health, Page, Preset, Problem, RunAccepted, RunResource, SessionDetail, SessionMessage, SessionResource, Stats, Tool } from './types.js';

/** A failed request, with the server's problem+json (or one made up for a network failure). */
export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.problem = problem;
  }

  /** 0 when the server could not be reached. */
  get status(): number {
    return this.problem.status;
  }
}

export interface ApiClientOptions {
  /** The API key to send, when there is one. */
  readonly key: () => string | undefined;
  /** Told about every 401, so the app can ask for a key (or say the one it has is wrong). */
  readonly onUnauthorized?: (problem: Problem) => void;
  /** What API paths are relative to; default the page's own URL (document.baseURI). */
  readonly base?: string;
}

/** fetch's options, with headers as a plain object (credentials are added to them). */
export type RequestOptions = Omit<RequestInit, 'headers'> & { headers?: Record<string, string> };

export interface StartRunRequest {
  readonly input: string;
  readonly preset: string;
  readonly sessionId?: string;
}

/**
 * The HTTP API as the console uses it. Paths are relative to the page (`sessions`, not `/sessions`), so
 * the console works wherever the server is mounted.
 */
export class ApiClient {
  readonly #options: ApiClientOptions;

  constructor(options: ApiClientOptions) {
    this.#options = options;
  }

  /** Absolute URL of an API path, resolved against the page. */
  url(path: string): string {
    return new URL(path.replace(/^\//, ''), this.#options.base ?? document.baseURI).href;
  }

  /** Request headers with credentials. */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    const key = this.#options.key();
    return { ...(key && { Authorization: `Bearer ${key}` }), ...extra };
  }

  /** Raw fetch with credentials; a network failure becomes an ApiError with status 0. */
  async fetch(path: string, init: RequestOptions = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(this.url(path), { ...init, headers: this.headers(init.headers), cache: 'no-store' });
    } catch (error) {
      if ((error as Error)?.name === 'AbortError') throw error;
      throw new ApiError(unreachable(error));
    }
    if (response.status === 401) {
      const problem = await readProblem(response);
      // A request given up while its body was read has nothing reliable to say (and nobody waits for it).
      if (init.signal?.aborted) throw new DOMException('The request was aborted', 'AbortError');
      this.#options.onUnauthorized?.(problem);
      throw new ApiError(problem);
    }
    return response;
  }

  async json<T>(path: string, init: RequestOptions = {}): Promise<T> {
    const response = await this.fetch(path, { ...init, headers: { Accept: 'application/json', ...init.headers } });
    if (!response.ok) throw new ApiError(await readProblem(response));
    return (await response.json()) as T;
  }

  health(signal?: AbortSignal): Promise<Health> {
    // /health answers 503 with a body when degraded: that is still an answer worth showing.
    return this.fetch('health', { signal, headers: { Accept: 'application/json' } }).then(async (response) => {
      if (response.status === 200 || response.status === 503) return (await response.json()) as Health;
      throw new ApiError(await readProblem(response));
    });
  }

  /** GET /stats, or undefined when this server has no observability plugin. */
  async stats(signal?: AbortSignal): Promise<Stats | undefined> {
    const response = await this.fetch('stats', { signal, headers: { Accept: 'application/json' } });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new ApiError(await readProblem(response));
    return (await response.json()) as Stats;
  }

  presets(signal?: AbortSignal): Promise<Page<Preset>> {
    return this.json('presets', { signal });
  }

  tools(signal?: AbortSignal): Promise<Page<Tool>> {
    return this.json('tools', { signal });
  }

  sessions(cursor?: string, signal?: AbortSignal): Promise<Page<SessionResource>> {
    return this.json(`sessions?limit=30${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { signal });
  }

  session(id: string, signal?: AbortSignal): Promise<SessionDetail> {
    return this.json(`sessions/${encodeURIComponent(id)}?runsLimit=200`, { signal });
  }

  messages(id: string, signal?: AbortSignal): Promise<Page<SessionMessage>> {
    return this.json(`sessions/${encodeURIComponent(id)}/messages`, { signal });
  }

  run(id: string, signal?: AbortSignal): Promise<RunResource> {
    return this.json(`run/${encodeURIComponent(id)}`, { signal });
  }

  /**
   * POST /run with an Idempotency-Key: a request whose answer was lost (network, server restarting) is
   * sent again with the same key, so it never starts a second run.
   */
  async startRun(request: StartRunRequest): Promise<RunAccepted> {
    const key = idempotencyKey();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.json<RunAccepted>('run', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
          body: JSON.stringify(request),
        });
      } catch (error) {
        const status = (error as ApiError).status;
        if (attempt >= 3 || !(error instanceof ApiError) || !(status === 0 || status === 503 || status === 409)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
      }
    }
  }

  cancelRun(id: string): Promise<RunResource> {
    return this.json(`run/${encodeURIComponent(id)}/cancel`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'cancelled from the console' }),
    });
  }
}

/** The problem+json of a failed response; a readable stand-in when the body is something else. */
export async function readProblem(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (body && typeof body === 'object' && typeof body.title === 'string') return { ...body, title: body.title, status: body.status ?? response.status };
  } catch {
    // not JSON
  }
  return {
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    detail: text ? cutAtCodePoint(text, 500) : `${response.url} answered ${response.status} without details`,
  };
}

export function unreachable(error: unknown): Problem {
  return {
    title: 'Cannot reach the server',
    status: 0,
    detail: (error as Error)?.message ?? String(error),
    hint: 'Is `agent-sdk server` still running? The console retries streams by itself; reload the page to retry the rest.',
  };
}

function idempotencyKey(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `console-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
