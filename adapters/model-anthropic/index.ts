import { Type, type Static } from 'typebox';
import { contribution, definePlugin, extensionPoints, type ModelProvider } from '../../core/index.js';
import { anthropicModel } from './anthropic-model.js';

export { anthropicModel, type AnthropicModelOptions } from './anthropic-model.js';

export const AnthropicOptions = Type.Object(
  {
    model: Type.String({ minLength: 1, description: 'Model name, e.g. claude-sonnet-4-5' }),
    apiKey: Type.Optional(Type.String({ description: 'API key; default: the ANTHROPIC_API_KEY secret. Write ${env:ANTHROPIC_API_KEY} rather than the key itself' })),
    baseURL: Type.String({ pattern: '^https?://', default: 'https://api.anthropic.com', description: 'API endpoint (a proxy or gateway)' }),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Extra headers sent with every request' })),
    maxOutputTokens: Type.Integer({ minimum: 1, default: 4096, description: 'Output cap per call (the API requires one)' }),
  },
  { additionalProperties: false },
);

/** The `anthropic` provider: Claude models through the Messages API. An API key is required. */
export const anthropicProvider: ModelProvider<Static<typeof AnthropicOptions>> = {
  name: 'anthropic',
  description: 'Anthropic Claude (Messages API)',
  optionsSchema: AnthropicOptions,
  create(options, context) {
    const apiKey = options.apiKey || context.secret('ANTHROPIC_API_KEY');
    if (!apiKey) throw new Error('no API key: set apiKey (e.g. "${env:ANTHROPIC_API_KEY}") or export ANTHROPIC_API_KEY');
    return anthropicModel({ ...options, apiKey });
  },
  async checkOnline(options, context) {
    const { default: AnthropicClient } = await import('@anthropic-ai/sdk');
    const client = new AnthropicClient({
      apiKey: options.apiKey || context.secret('ANTHROPIC_API_KEY'),
      baseURL: options.baseURL,
      defaultHeaders: options.headers,
      maxRetries: 0,
      timeout: 15_000,
    });
    const page = await client.models.list({ limit: 1000 }, { signal: context.signal });
    const listed = page.data.some((model) => model.id === options.model);
    return listed ? `reachable, ${options.model} is available` : `reachable, but ${options.model} is not among the ${page.data.length} models it lists`;
  },
};

/**
 * Contributes the `anthropic` provider.
 *
 * @example
 * ```yaml
 * models:
 *   smart: { provider: anthropic, model: claude-sonnet-4-5, apiKey: "${env:ANTHROPIC_API_KEY}" }
 * ```
 */
export const anthropicModelPlugin = definePlugin({
  id: 'model-anthropic',
  version: '1.0.0',
  description: 'Anthropic Claude models (official @anthropic-ai/sdk)',
  contributes: [contribution(extensionPoints.modelProviders, anthropicProvider)],
});

export default anthropicModelPlugin;
