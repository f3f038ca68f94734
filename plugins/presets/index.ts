import { Type } from 'typebox';
import { definePlugin, extensionPoints, PresetConfigSchema, sdkError, type PresetDefinition } from '../../core/index.js';
import { builtinPresets } from './builtin.js';

export { assistantBasic, assistantMultiagent, assistantRag, assistantTools, builtinPresets } from './builtin.js';

/**
 * `presets:` in the config file: your own presets by name (lowercase, digits, `_`, `-`). A name of a built-in
 * preset replaces it.
 */
export const PresetsConfig = Type.Object(
  {},
  { additionalProperties: PresetConfigSchema, default: {}, description: 'Your presets by name; a built-in name replaces that preset' },
);

const NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/**
 * The presets: `assistant_basic`, `assistant_tools`, `assistant_rag`, `assistant_multiagent`, and those of the
 * config file, contributed to `extensionPoints.presets` (the runtime validates them when it starts).
 *
 * @example
 * ```yaml
 * presets:
 *   support_bot:
 *     description: Answers support questions from the docs
 *     instructions: You answer support questions. Cite your sources.
 *     model: [fast, default]
 *     tools: [vector.search]
 *     limits: { maxSteps: 6 }
 * ```
 */
export const presetsPlugin = definePlugin({
  id: 'presets',
  version: '1.0.0',
  description: 'The built-in presets and the presets of the config file',
  config: PresetsConfig,
  init({ config, contribute }) {
    const own = new Map<string, PresetDefinition>();
    for (const [name, preset] of Object.entries(config as Record<string, Omit<PresetDefinition, 'name'>>)) {
      if (!NAME.test(name)) {
        throw sdkError('ASDK_PRESET_INVALID', { preset: name, source: `presets.${name} in the config file`, reason: 'a preset name uses lowercase letters, digits, "_" and "-" and starts with a letter' });
      }
      own.set(name, { ...preset, name });
    }
    const builtinNames = new Set(builtinPresets.map((preset) => preset.name));
    const presets = [...builtinPresets.map((preset) => own.get(preset.name) ?? preset), ...[...own.values()].filter((preset) => !builtinNames.has(preset.name))];
    contribute(extensionPoints.presets, ...presets);
  },
});

export default presetsPlugin;
