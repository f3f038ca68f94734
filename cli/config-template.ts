import type { TSchema } from 'typebox';
import { stringify } from 'yaml';
import { KernelSection, PluginsSection, type Plugin } from '../core/index.js';

/** Sections whose keys are names the user chooses: shown as a worked example instead of a schema. */
const EXAMPLES: Record<string, string> = {
  models: [
    'models:',
    '  default: offline                 # rule-based, no network (not an LLM); docs/models.md',
    '#   fast:',
    '#     provider: openai',
    '#     model: gpt-4.1-mini',
    '#     apiKey: ${env:OPENAI_API_KEY}',
    '#     price: { inputPerMillion: 0.4, outputPerMillion: 1.6 }',
    '#   local: { provider: openai, model: llama3.1, baseURL: http://localhost:11434/v1 }   # Ollama',
    '#   smart: { provider: anthropic, model: claude-sonnet-4-5, apiKey: ${env:ANTHROPIC_API_KEY} }',
  ].join('\n'),
  presets: [
    '# presets:',
    '#   support_bot:',
    '#     description: Answers questions about our product from the docs',
    '#     instructions: You answer briefly and cite the documents you used.',
    '#     model: [fast, default]          # a fallback chain of names from models:',
    '#     tools: [vector.search, time.*]',
    '#     limits: { maxSteps: 8, timeoutMs: 60000 }',
  ].join('\n'),
};

/**
 * A commented agent-sdk.config.yaml showing every section of the given plugins: each key with its default
 * (commented out, so the file changes nothing until edited) and its description. Rendered from the plugins'
 * own schemas, so it cannot fall behind them.
 */
export function renderConfigTemplate(plugins: readonly Plugin[]): string {
  const out: string[] = [
    '# agent-sdk configuration. Every section and key is shown with its default, commented out: uncomment what',
    '# you change. docs/config.md describes each key; `npx agent-sdk doctor` checks this file.',
    '# Keep secrets out of it: ${env:NAME}, ${env:NAME:-fallback} and ${file:path} are replaced when it is read.',
    '',
  ];
  out.push(section('kernel', 'The kernel: data folder, log level, start and stop timeouts', KernelSection));
  out.push(section('plugins', 'Extra plugin modules to load, built-in plugins to leave out', PluginsSection));
  for (const plugin of plugins) {
    if (!plugin.config) continue;
    const example = EXAMPLES[plugin.id];
    out.push(example ? `# ${plugin.description ?? plugin.id}\n${example}\n` : section(plugin.id, plugin.description ?? '', plugin.config));
  }
  return out.join('\n');
}

function section(id: string, description: string, schema: TSchema): string {
  const lines = [`# ${description}`, `# ${id}:`];
  lines.push(...keys(schema, 1));
  return `${lines.join('\n')}\n`;
}

function keys(schema: TSchema, depth: number): string[] {
  const s = schema as Record<string, any>;
  const indent = '  '.repeat(depth);
  const lines: string[] = [];
  for (const [key, child] of Object.entries((s.properties ?? {}) as Record<string, Record<string, any>>)) {
    const note = child.description ? `   # ${oneLine(child.description)}` : '';
    if (child.type === 'object' && child.properties && Object.keys(child.properties).length) {
      lines.push(`# ${indent}${key}:${note}`, ...keys(child as TSchema, depth + 1));
      continue;
    }
    const value = child.default !== undefined ? yamlValue(child.default) : placeholder(child);
    lines.push(`# ${indent}${key}: ${value}${note}`);
  }
  return lines;
}

function yamlValue(value: unknown): string {
  return stringify(value, { flow: true }).trim();
}

function placeholder(schema: Record<string, any>): string {
  if (schema.anyOf) return `${(schema.anyOf as Record<string, any>[]).map((b) => (b.const !== undefined ? String(b.const) : b.type)).join(' | ')}`;
  return `<${schema.type ?? 'value'}>`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
