import type { DoctorCheck } from '../../../core/index.js';
import { createEmbedder, type EmbeddingConfig } from './factory.js';

/**
 * `agent-sdk doctor`: the embedder's settings make sense (a model, a key or a local server, a known vector
 * length); with `--online`, one short text is embedded and the vector's length checked.
 */
export const embeddingDoctorCheck: DoctorCheck = {
  name: 'embedding',
  async run({ config, kernel, online, signal }) {
    let embedder;
    try {
      embedder = createEmbedder(config as EmbeddingConfig, { get: (name) => kernel.env[name] });
    } catch (error) {
      return { ok: false, detail: (error as Error).message, hint: (error as { hint?: string }).hint };
    }
    if (!online || embedder.model.startsWith('local/')) return { ok: true, detail: `${embedder.model}, ${embedder.dimensions} dimensions` };
    try {
      const [vector] = await embedder.embed(['agent-sdk doctor'], { purpose: 'query', signal });
      return { ok: true, detail: `${embedder.model} answered with ${vector.length} dimensions` };
    } catch (error) {
      return { ok: false, detail: (error as Error).message, hint: (error as { hint?: string }).hint };
    }
  },
};
