import { isAgentSdkError } from '../errors/agent-sdk-error.js';
import { extensionPoints } from '../extensions.js';
import type { DoctorCheck, DoctorCheckResult } from '../ports/doctor.js';
import { envSecrets } from '../defaults.js';
import { validateValue } from '../config/validate.js';
import { ROUTER_KEYS, type ModelEntry, type ModelsConfig } from './model-config.js';
import { ModelRouter } from './model-router.js';

/**
 * `agent-sdk doctor`: one line per configured model. Offline it builds each model as the router would
 * (provider known, options valid, API key present); with --online it also asks the provider's endpoint.
 */
export const modelsDoctorCheck: DoctorCheck = {
  name: 'models',
  async run(context) {
    const config = (context.config ?? {}) as ModelsConfig;
    const providers = context.contributions(extensionPoints.modelProviders);
    const secrets = envSecrets(context.kernel.env);
    const entries = Object.entries(config);
    if (!entries.some(([name]) => name === 'default') && providers.some((p) => p.item.name === 'offline')) entries.unshift(['default', 'offline']);
    const results: DoctorCheckResult[] = [];
    for (const [name, raw] of entries) {
      const entry: ModelEntry = typeof raw === 'string' ? { provider: raw } : raw;
      const label = `model ${name}`;
      const router = new ModelRouter({ clock: { sleep: async () => {} }, secrets });
      try {
        router.configure({ [name]: raw }, providers);
      } catch (error) {
        results.push({ name: label, ok: false, detail: (error as Error).message, hint: isAgentSdkError(error) ? error.hint : undefined });
        continue;
      }
      const provider = providers.find((p) => p.item.name === entry.provider)!.item;
      if (!context.online || !provider.checkOnline) {
        results.push({ name: label, ok: true, detail: `${entry.provider} is configured${provider.checkOnline ? ' (reachability: doctor --online)' : ''}` });
        continue;
      }
      const options: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(entry)) if (!ROUTER_KEYS.has(key)) options[key] = value;
      try {
        const valid = validateValue(provider.optionsSchema, options, `models.${name}`).value;
        const detail = await provider.checkOnline(valid, { name, secret: (s) => secrets.get(s), signal: context.signal });
        results.push({ name: label, ok: true, detail: `${entry.provider}: ${detail}` });
      } catch (error) {
        results.push({ name: label, ok: false, detail: `${entry.provider} did not answer: ${(error as Error).message}`, hint: 'Check the baseURL, the API key and the network; doctor without --online checks the config only.' });
      }
    }
    return results;
  },
};
