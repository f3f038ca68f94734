import { Type, type Static } from 'typebox';

/** `models.<name>.retry`: how one model is retried before the chain falls back to the next. */
export const ModelRetryConfig = Type.Object(
  {
    maxRetries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: 'Retries of this model on a transient failure (default 2)' })),
    initialDelayMs: Type.Optional(Type.Integer({ minimum: 0, description: 'First backoff, doubled at each retry, with jitter (default 500)' })),
    maxDelayMs: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Longest backoff; a Retry-After longer than this falls back at once instead (default 30000)' }),
    ),
  },
  { additionalProperties: false },
);

/** `models.<name>.price`: USD per million tokens, turning usage into `costUsd`. */
export const ModelPrice = Type.Object(
  {
    inputPerMillion: Type.Number({ minimum: 0, description: 'USD per million input tokens' }),
    outputPerMillion: Type.Number({ minimum: 0, description: 'USD per million output tokens' }),
  },
  { additionalProperties: false },
);

/** A model entry in full; every key besides these four is an option of the provider. */
export const ModelEntry = Type.Object(
  {
    provider: Type.String({ minLength: 1, description: 'offline, openai, anthropic, or a provider a plugin adds' }),
    retry: Type.Optional(ModelRetryConfig),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Longest wait for the first or the next chunk of an answer (default 60000)' })),
    price: Type.Optional(ModelPrice),
  },
  { additionalProperties: true },
);
export type ModelEntry = Static<typeof ModelEntry> & Record<string, unknown>;

/**
 * The `models:` section: named models, each a provider name (`default: offline`) or an entry with options.
 * `default` is the offline model unless configured.
 */
export const ModelsConfig = Type.Object(
  {},
  {
    // Object first: an object that fails is then reported at its own key, not as "must be string".
    additionalProperties: Type.Union([ModelEntry, Type.String({ minLength: 1 })]),
    default: {},
    description: 'Named models: `name: provider` or `name: { provider, ...options }`',
  },
);
export type ModelsConfig = Readonly<Record<string, string | ModelEntry>>;

export const ROUTER_KEYS = new Set(['provider', 'retry', 'timeoutMs', 'price']);

export const RETRY_DEFAULTS = { maxRetries: 2, initialDelayMs: 500, maxDelayMs: 30_000 } as const;
export const DEFAULT_MODEL_TIMEOUT_MS = 60_000;

/**
 * The backoff before retry number `retry` (1 = the first retry): exponential from `initialDelayMs`, capped at
 * `maxDelayMs`, with "equal jitter" (between half and all of it) so clients that failed together do not
 * retry together. A Retry-After is a floor: never sooner than the server asked.
 */
export function backoffDelay(
  retry: number,
  policy: { initialDelayMs: number; maxDelayMs: number },
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (retry - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
