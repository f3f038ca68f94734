import { Type, type Static } from 'typebox';
import { contribution, definePlugin, extensionPoints, type ModelProvider } from '../../core/index.js';
import { openaiModel } from './openai-model.js';

export { openaiModel, type OpenAIModelOptions } from './openai-model.js';

export const OpenAIOptions = Type.Object(
  {
    model: Type.String({ minLength: 1, description: 'Model name, e.g. gpt-4.1-mini (or the name your server uses)' }),
    apiKey: Type.Optional(Type.String({ description: 'API key; default: the OPENAI_API_KEY secret. Write ${env:OPENAI_API_KEY} rather than the key itself' })),
    baseURL: Type.Optional(Type.String({ pattern: '^https?://', description: 'An OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 (Ollama)' })),
    organization: Type.Optional(Type.String()),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Extra headers sent with every request' })),
    temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
    maxOutputTokens: Type.Optional(Type.Integer({ minimum: 1 })),
    maxTokensParam: Type.Union([Type.Literal('max_completion_tokens'), Type.Literal('max_tokens')], {
      default: 'max_completion_tokens',
      description: 'max_tokens for compatible servers that do not know max_completion_tokens',
    }),
    streamUsage: Type.Boolean({ default: true, description: 'Ask for token usage in the last chunk (stream_options.include_usage)' }),
  },
  { additionalProperties: false },
);

/**
 * The `openai` provider: OpenAI's chat completions, or any OpenAI-compatible server through `baseURL`.
 * Without `baseURL` an API key is required (`apiKey` or the OPENAI_API_KEY secret); a local server needs none.
 */
export const openaiProvider: ModelProvider<Static<typeof OpenAIOptions>> = {
  name: 'openai',
  description: 'OpenAI chat completions, or an OpenAI-compatible server (baseURL)',
  optionsSchema: OpenAIOptions,
  create(options, context) {
    const apiKey = options.apiKey || context.secret('OPENAI_API_KEY');
    if (!apiKey && !options.baseURL) {
      throw new Error('no API key: set apiKey (e.g. "${env:OPENAI_API_KEY}") or export OPENAI_API_KEY; a local server given by baseURL needs none');
    }
    // Explicit, so the SDK never picks OPENAI_BASE_URL up from the process environment behind the config's back.
    return openaiModel({ ...options, baseURL: options.baseURL ?? 'https://api.openai.com/v1', apiKey: apiKey || 'not-needed' });
  },
  async checkOnline(options, context) {
    const { default: OpenAIClient } = await import('openai');
    const client = new OpenAIClient({
      apiKey: options.apiKey || context.secret('OPENAI_API_KEY') || 'not-needed',
      baseURL: options.baseURL ?? 'https://api.openai.com/v1',
      organization: options.organization,
      defaultHeaders: options.headers,
      maxRetries: 0,
      timeout: 15_000,
    });
    const page = await client.models.list({ signal: context.signal });
    const listed = page.data.some((model) => model.id === options.model);
    return listed ? `reachable, ${options.model} is available` : `reachable, but ${options.model} is not among the ${page.data.length} models it lists`;
  },
};

/**
 * Contributes the `openai` provider.
 *
 * @example
 * ```yaml
 * models:
 *   fast: { provider: openai, model: gpt-4.1-mini, apiKey: "${env:OPENAI_API_KEY}" }
 *   local: { provider: openai, model: llama3.1, baseURL: "http://localhost:11434/v1" }
 * ```
 */
export const openaiModelPlugin = definePlugin({
  id: 'model-openai',
  version: '1.0.0',
  description: 'OpenAI and OpenAI-compatible models (official openai client)',
  contributes: [contribution(extensionPoints.modelProviders, openaiProvider)],
});

export default openaiModelPlugin;
