import { Type, type Static } from 'typebox';
import { sdkError, type EmbeddingPort, type Secrets } from '../../../core/index.js';
import { hashingEmbedder } from './hashing-embedder.js';
import { openaiEmbedder } from './openai-embedder.js';

export const EmbeddingConfig = Type.Object(
  {
    provider: Type.Union([Type.Literal('local'), Type.Literal('openai')], {
      default: 'local',
      description: 'local: hashed word and character n-grams (offline, lexical); openai: OpenAI or a compatible server',
    }),
    dimensions: Type.Optional(
      Type.Integer({ minimum: 16, maximum: 8192, description: 'Vector length; local default 384; openai: the model\'s (known for text-embedding-3-* and ada-002)' }),
    ),
    model: Type.Optional(Type.String({ minLength: 1, description: 'openai: the model, e.g. text-embedding-3-small or nomic-embed-text' })),
    baseURL: Type.Optional(Type.String({ pattern: '^https?://', description: 'openai: a compatible endpoint, e.g. http://localhost:11434/v1 (Ollama)' })),
    apiKey: Type.Optional(Type.String({ description: 'openai: API key; default the OPENAI_API_KEY secret. Write ${env:OPENAI_API_KEY}' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'openai: extra headers sent with every request' })),
    sendDimensions: Type.Optional(Type.Boolean({ description: 'openai: send `dimensions` in requests; default true for text-embedding-3-*' })),
    encodingFormat: Type.Union([Type.Literal('float'), Type.Literal('base64')], { default: 'float', description: 'openai: how vectors travel; base64 is smaller (OpenAI supports it)' }),
    batchSize: Type.Integer({ minimum: 1, maximum: 2048, default: 64, description: 'openai: texts per request' }),
    timeoutMs: Type.Integer({ minimum: 100, default: 60_000, description: 'openai: per request' }),
    maxRetries: Type.Integer({ minimum: 0, maximum: 10, default: 2, description: 'openai: retries on 429, 5xx and dropped connections' }),
  },
  { additionalProperties: false },
);
export type EmbeddingConfig = Static<typeof EmbeddingConfig>;

const KNOWN_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};
const OPENAI_ONLY = ['model', 'baseURL', 'apiKey', 'headers', 'sendDimensions'] as const;

/** The embedder a config slice describes (checked across fields: what the schema cannot say). */
export function createEmbedder(config: EmbeddingConfig, secrets?: Secrets): EmbeddingPort {
  const invalid = (path: string, reason: string, fix: string) => sdkError('ASDK_RAG_EMBEDDING_CONFIG', { path: `embedding.${path}`, reason, fix });
  if (config.provider === 'local') {
    const stray = OPENAI_ONLY.find((key) => config[key] !== undefined);
    if (stray) throw invalid(stray, `${stray} applies to provider openai, but the provider is local`, 'Set provider: openai, or remove the key');
    return hashingEmbedder({ dimensions: config.dimensions ?? 384 });
  }
  if (!config.model) throw invalid('model', 'provider openai needs a model', 'Set embedding.model, e.g. text-embedding-3-small');
  const apiKey = config.apiKey || secrets?.get('OPENAI_API_KEY');
  if (!apiKey && !config.baseURL) {
    throw invalid('apiKey', 'no API key for OpenAI', 'Set embedding.apiKey: "${env:OPENAI_API_KEY}" or export OPENAI_API_KEY; a local server given by baseURL needs none');
  }
  const dimensions = config.dimensions ?? KNOWN_DIMENSIONS[config.model];
  if (dimensions === undefined) throw invalid('dimensions', `the vector length of "${config.model}" is not known`, 'Set embedding.dimensions to the length the model returns');
  return openaiEmbedder({
    model: config.model,
    dimensions,
    sendDimensions: config.sendDimensions ?? (config.model.startsWith('text-embedding-3') && config.dimensions !== undefined),
    apiKey: apiKey || 'not-needed',
    // Explicit, so the SDK never picks OPENAI_BASE_URL up from the environment behind the config's back.
    baseURL: config.baseURL ?? 'https://api.openai.com/v1',
    headers: config.headers,
    batchSize: config.batchSize,
    encodingFormat: config.encodingFormat,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
  });
}
