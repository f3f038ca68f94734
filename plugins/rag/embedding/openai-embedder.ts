import type OpenAI from 'openai';
import { cutAtCodePoint, sdkError, type EmbeddingPort } from '../../../core/index.js';

export interface OpenAIEmbedderOptions {
  /** `text-embedding-3-small`, or the name a compatible server uses (`nomic-embed-text`). */
  readonly model: string;
  /** Length of the vectors the model returns; sent as `dimensions` when `sendDimensions`. */
  readonly dimensions: number;
  /** Ask the server for `dimensions` (only models that can shorten their vectors accept it: text-embedding-3-*). */
  readonly sendDimensions: boolean;
  readonly apiKey: string;
  readonly baseURL: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Texts per request. */
  readonly batchSize: number;
  /** `float` (every compatible server) or `base64` (smaller responses; OpenAI). */
  readonly encodingFormat: 'float' | 'base64';
  readonly timeoutMs: number;
  /** Retries of the client on 429, 5xx and dropped connections. */
  readonly maxRetries: number;
}

// The SDK is loaded on first use: a kernel on the local embedder never pays for it.
let sdk: Promise<typeof import('openai')> | undefined;
const loadSdk = () => (sdk ??= import('openai'));

/**
 * Embeddings through the official `openai` client: OpenAI itself, or any server speaking the same
 * `POST /embeddings` wire format (`baseURL`: Ollama, vLLM, LM Studio, LiteLLM, ...). Texts go in batches of
 * `batchSize`; each vector is checked for its length and normalised to unit length.
 *
 * @example
 * ```ts
 * const embedder = openaiEmbedder({ model: 'text-embedding-3-small', dimensions: 512, sendDimensions: true, apiKey,
 *   baseURL: 'https://api.openai.com/v1', batchSize: 64, encodingFormat: 'base64', timeoutMs: 60_000, maxRetries: 2 });
 * ```
 */
export function openaiEmbedder(options: OpenAIEmbedderOptions): EmbeddingPort {
  let client: OpenAI | undefined;
  const model = `openai/${options.model}${options.sendDimensions ? `@${options.dimensions}` : ''}`;
  const host = safeHost(options.baseURL);
  const fail = (reason: string, fix: string, cause?: unknown) => sdkError('ASDK_RAG_EMBEDDING_FAILED', { model: `${options.model} at ${host}`, reason, fix }, { cause });

  async function embedBatch(texts: readonly string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    const { default: OpenAIClient, APIError, APIConnectionError } = await loadSdk();
    client ??= new OpenAIClient({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      defaultHeaders: options.headers,
      maxRetries: options.maxRetries,
      timeout: options.timeoutMs,
    });
    let response: OpenAI.Embeddings.CreateEmbeddingResponse;
    try {
      response = await client.embeddings.create(
        {
          model: options.model,
          // An empty string is refused by OpenAI; a single space embeds as "nothing" the same way everywhere.
          input: texts.map((text) => (text.trim() ? text : ' ')),
          encoding_format: options.encodingFormat,
          ...(options.sendDimensions && { dimensions: options.dimensions }),
        },
        { signal },
      );
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof APIError && error.status !== undefined) {
        const detail = cutAtCodePoint(error.message.replace(/\s+/g, ' '), 300);
        const fix =
          error.status === 401 || error.status === 403
            ? 'Check embedding.apiKey (or the OPENAI_API_KEY secret).'
            : error.status === 404
              ? `Check embedding.model ("${options.model}") and embedding.baseURL (${options.baseURL}).`
              : error.status === 400
                ? 'Check embedding.model and embedding.dimensions (only some models accept dimensions; set sendDimensions: false for the others).'
                : 'The server refused or failed; retry later, or check its logs.';
        throw fail(`HTTP ${error.status}: ${detail}`, fix, error);
      }
      if (error instanceof APIConnectionError) throw fail(`no answer (${error.message})`, `Check that the server at ${options.baseURL} is reachable.`, error);
      throw fail((error as Error)?.message ?? String(error), 'See the cause below.', error);
    }
    const data = [...(response?.data ?? [])].sort((a, b) => a.index - b.index);
    if (data.length !== texts.length) {
      throw fail(`asked for ${texts.length} embeddings, received ${data.length}`, 'The server does not speak the embeddings wire format as expected; check embedding.baseURL.');
    }
    return data.map((item) => {
      const vector = toVector(item.embedding as unknown);
      if (vector.length !== options.dimensions) {
        throw fail(
          `returned vectors of ${vector.length} dimensions, but embedding.dimensions is ${options.dimensions}`,
          `Set embedding.dimensions: ${vector.length} (or a model that returns ${options.dimensions}).`,
        );
      }
      return normalize(vector);
    });
  }

  return {
    model,
    dimensions: options.dimensions,
    async embed(texts, embedOptions) {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += options.batchSize) {
        out.push(...(await embedBatch(texts.slice(i, i + options.batchSize), embedOptions?.signal)));
      }
      return out;
    },
  };
}

/** A vector as JSON numbers (`float`) or as base64 of little-endian float32 (`base64`). */
function toVector(embedding: unknown): Float32Array {
  if (typeof embedding === 'string') {
    const bytes = Buffer.from(embedding, 'base64');
    const copy = new Uint8Array(bytes.length - (bytes.length % 4));
    copy.set(bytes.subarray(0, copy.length));
    return new Float32Array(copy.buffer);
  }
  if (Array.isArray(embedding) && embedding.every((x) => typeof x === 'number')) return Float32Array.from(embedding);
  return new Float32Array(0);
}

function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i] * vector[i];
  if (norm === 0 || Math.abs(norm - 1) < 1e-6) return vector;
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < vector.length; i++) vector[i] *= scale;
  return vector;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
