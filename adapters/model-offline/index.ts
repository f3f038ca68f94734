import { Type } from 'typebox';
import { contribution, definePlugin, extensionPoints, type ModelProvider } from '../../core/index.js';
import { offlineModel, type OfflineOptions } from './offline-model.js';

export { decide, offlineModel, OFFLINE_MODEL_ID, type OfflineOptions, type OfflinePlan } from './offline-model.js';

const OfflineOptionsSchema = Type.Object(
  {
    chunkWords: Type.Integer({ minimum: 1, maximum: 100, default: 3, description: 'Words per streamed delta' }),
    delayMs: Type.Integer({ minimum: 0, maximum: 10_000, default: 0, description: 'Pause between deltas (to watch streaming)' }),
  },
  { additionalProperties: false },
);

/**
 * The `offline` provider: deterministic rules, no network and no API key. It is not a language model; it
 * makes the presets usable out of the box (arithmetic, time, files, citations from your documents,
 * delegation). docs/models.md lists exactly what it understands.
 */
export const offlineProvider: ModelProvider<OfflineOptions> = {
  name: 'offline',
  description: 'Rule-based, deterministic, no network (not an LLM)',
  optionsSchema: OfflineOptionsSchema,
  create: (options) => offlineModel(options),
};

/**
 * Contributes the `offline` provider; `models.default` uses it unless configured otherwise.
 *
 * @example
 * ```yaml
 * models:
 *   default: { provider: offline, delayMs: 30 }
 * ```
 */
export const offlineModelPlugin = definePlugin({
  id: 'model-offline',
  version: '1.0.0',
  description: 'The offline model: rule-based, deterministic, no network (not an LLM)',
  contributes: [contribution(extensionPoints.modelProviders, offlineProvider)],
});

export default offlineModelPlugin;
