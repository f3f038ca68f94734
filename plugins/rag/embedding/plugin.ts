import { contribution, definePlugin, extensionPoints, ports } from '../../../core/index.js';
import { embeddingDoctorCheck } from './doctor-check.js';
import { createEmbedder, EmbeddingConfig } from './factory.js';

export { createEmbedder, EmbeddingConfig } from './factory.js';

/**
 * The `embedding` plugin: provides `ports.embedding`. The default is the local embedder (hashed n-grams,
 * offline, lexical); `provider: openai` uses OpenAI or any compatible server through `baseURL`.
 *
 * @example
 * ```yaml
 * embedding:
 *   provider: openai
 *   model: nomic-embed-text
 *   baseURL: http://localhost:11434/v1
 *   dimensions: 768
 * ```
 */
export const embeddingPlugin = definePlugin({
  id: 'embedding',
  version: '1.0.0',
  description: 'Text embeddings: local hashed n-grams (default) or an OpenAI-compatible model',
  config: EmbeddingConfig,
  requires: { secrets: ports.secrets },
  provides: [ports.embedding],
  contributes: [contribution(extensionPoints.doctorChecks, embeddingDoctorCheck)],
  init({ config, deps, provide, logger }) {
    const embedder = createEmbedder(config as EmbeddingConfig, deps.secrets);
    logger.debug('embedder ready', { model: embedder.model, dimensions: embedder.dimensions });
    provide(ports.embedding, embedder);
  },
});
