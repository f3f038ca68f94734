import { createHash } from 'node:crypto';
import { sdkError, type IdempotencyRecord, type IdempotencyRepository, type Logger, type OrgScope } from '../../core/index.js';

/** 1 to 255 visible ASCII characters (what the storage keeps, and what fits in a header unambiguously). */
const KEY = /^[\x21-\x7E]{1,255}$/;
/** A key still pending after this long lost its request (a crashed process); another request may take it over. */
const ABANDONED_AFTER_MS = 30_000;
const POLL_MS = 25;

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface IdempotentOutcome extends StoredResponse {
  /** True when this is the stored answer of an earlier request with the key. */
  readonly replayed: boolean;
}

/** Checks an `Idempotency-Key` header value; throws ASDK_IDEMPOTENCY_KEY_INVALID (400). */
export function parseIdempotencyKey(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw sdkError('ASDK_IDEMPOTENCY_KEY_INVALID', { reason: 'was sent more than once' });
  if (!KEY.test(value)) throw sdkError('ASDK_IDEMPOTENCY_KEY_INVALID', { reason: value.length > 255 ? 'is longer than 255 characters' : 'must be 1 to 255 visible ASCII characters' });
  return value;
}

/** A stable hash of a request: same method, path and JSON body (whatever the key order) → same hash. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n${canonicalJson(body)}`).digest('hex');
}

/**
 * Idempotency-Key semantics over the storage's idempotency repository (per org, kept `ttlMs`):
 * the first request with a key runs `produce` and stores its response; a retry with the same request gets
 * that response (`replayed`), after waiting up to `waitMs` if the first is still being processed (then
 * 409); a retry with a different request is refused (422). A request that fails frees its key.
 */
export class IdempotencyGate {
  readonly #repo: IdempotencyRepository;
  readonly #ttlMs: number;
  readonly #waitMs: number;
  readonly #logger: Logger;
  /** Requests of this process holding a key, so local retries wake as soon as the answer is stored. */
  readonly #local = new Map<string, Promise<void>>();

  constructor(repo: IdempotencyRepository, options: { ttlMs: number; waitMs: number; logger: Logger }) {
    this.#repo = repo;
    this.#ttlMs = options.ttlMs;
    this.#waitMs = options.waitMs;
    this.#logger = options.logger;
  }

  async run(scope: OrgScope, key: string, hash: string, produce: () => Promise<StoredResponse & { runId?: string }>): Promise<IdempotentOutcome> {
    const deadline = Date.now() + this.#waitMs;
    for (let attempt = 0; ; attempt++) {
      const claim = await this.#repo.claim(scope, key, hash, this.#ttlMs);
      if (claim.claimed) return { ...(await this.#produce(scope, key, produce)), replayed: false };
      const answer = await this.#awaitAnswer(scope, key, hash, claim.record, deadline);
      if (answer) return { ...answer, replayed: true };
      // The key was freed (the first request failed, or was abandoned): claim it again.
      if (attempt >= 5) throw sdkError('ASDK_IDEMPOTENCY_IN_PROGRESS', { key });
    }
  }

  async #produce(scope: OrgScope, key: string, produce: () => Promise<StoredResponse & { runId?: string }>): Promise<StoredResponse> {
    const localKey = `${scope.orgId}\u0000${key}`;
    let done!: () => void;
    this.#local.set(localKey, new Promise<void>((resolve) => (done = resolve)));
    try {
      let response: StoredResponse & { runId?: string };
      try {
        response = await produce();
      } catch (error) {
        await this.#repo.release(scope, key).catch((releaseError: unknown) => this.#logger.warn('could not free an idempotency key', { key, error: releaseError }));
        throw error;
      }
      try {
        await this.#repo.complete(scope, key, { status: response.status, body: response.body }, response.runId);
      } catch (error) {
        // The answer stands (the run exists); free the key so a retry can store it. The runtime's own key
        // makes that retry find the same run instead of starting another.
        this.#logger.warn('could not store an idempotent response; the key is freed', { key, error });
        await this.#repo.release(scope, key).catch(() => undefined);
      }
      return { status: response.status, body: response.body };
    } finally {
      this.#local.delete(localKey);
      done();
    }
  }

  /** The stored answer once the first request completes; undefined when the key became free. */
  async #awaitAnswer(scope: OrgScope, key: string, hash: string, first: IdempotencyRecord, deadline: number): Promise<StoredResponse | undefined> {
    let record: IdempotencyRecord | undefined = first;
    for (;;) {
      if (!record) return undefined;
      if (record.requestHash !== hash) throw sdkError('ASDK_IDEMPOTENCY_KEY_REUSED', { key });
      if (record.state === 'completed' && record.response) return record.response;
      if (Date.now() - Date.parse(record.createdAt) > ABANDONED_AFTER_MS) {
        this.#logger.warn('taking over an abandoned idempotency key', { key, since: record.createdAt });
        await this.#repo.release(scope, key);
        return undefined;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw sdkError('ASDK_IDEMPOTENCY_IN_PROGRESS', { key });
      // A request of this process wakes us as soon as it is done; another process's is polled.
      const local = this.#local.get(`${scope.orgId}\u0000${key}`);
      await waitAtMost(local, local ? left : Math.min(POLL_MS, left));
      record = await this.#repo.get(scope, key);
    }
  }
}

/** Resolves when `promise` settles or after `ms`, whichever comes first; the timer never outlives it. */
function waitAtMost(promise: Promise<void> | undefined, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    promise?.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** JSON with object keys sorted, so two equal bodies hash alike. Depth is bounded by the body reader. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>).sort();
  return `{${keys
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}
