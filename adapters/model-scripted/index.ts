import { contribution, definePlugin, extensionPoints, type Plugin } from '../../core/index.js';
import { scriptedProvider, type ScriptedModel } from './scripted.js';

export { scripted, scriptedProvider, type Script, type ScriptStep, type ScriptedCall, type ScriptedError, type ScriptedModel } from './scripted.js';

/**
 * A plugin contributing the `scripted` provider over the given scripts, for tests. `startTestKernel({ model })`
 * adds it for you.
 */
export function scriptedModelsPlugin(models: Readonly<Record<string, ScriptedModel>>): Plugin {
  return definePlugin({
    id: 'model-scripted',
    version: '1.0.0',
    description: 'Scripted models for tests',
    contributes: [contribution(extensionPoints.modelProviders, scriptedProvider(models))],
  });
}
