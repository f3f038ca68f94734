import { problem, type Problem } from '../errors/agent-sdk-error.js';

export interface EnvOverride {
  readonly name: string;
  /** Config path the variable sets. */
  readonly path: readonly [string, string];
  readonly kind: 'string' | 'port' | 'list';
  readonly description: string;
}

/** The documented `AGENT_SDK_*` overrides (docs/config.md). They win over the config file. */
export const envOverrides: readonly EnvOverride[] = [
  { name: 'AGENT_SDK_HOST', path: ['server', 'host'], kind: 'string', description: 'Address the server listens on' },
  { name: 'AGENT_SDK_PORT', path: ['server', 'port'], kind: 'port', description: 'Port the server listens on' },
  { name: 'AGENT_SDK_DATABASE_URL', path: ['storage', 'url'], kind: 'string', description: 'Database URL (postgres://... or a SQLite file path)' },
  { name: 'AGENT_SDK_API_KEY', path: ['server', 'apiKeys'], kind: 'list', description: 'API key(s) the server accepts; several separated by commas' },
  { name: 'AGENT_SDK_LOG_LEVEL', path: ['kernel', 'logLevel'], kind: 'string', description: 'debug, info, warn, error or silent' },
  { name: 'AGENT_SDK_DATA_DIR', path: ['kernel', 'dataDir'], kind: 'string', description: 'Folder for the SQLite file, logs and workspaces' },
];

/**
 * Applies the overrides whose variable is set, to sections that exist in this kernel (`sections`), and
 * returns a new config object; a malformed value is a problem naming the variable.
 */
export function applyEnvOverrides(
  raw: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  sections: ReadonlySet<string>,
): { value: Record<string, unknown>; problems: Problem[] } {
  const value: Record<string, unknown> = { ...raw };
  const problems: Problem[] = [];
  for (const override of envOverrides) {
    const text = env[override.name];
    const [section, key] = override.path;
    if (text === undefined || text === '' || !sections.has(section)) continue;
    let parsed: unknown = text;
    if (override.kind === 'port') {
      parsed = Number(text);
      if (!/^\d+$/.test(text) || (parsed as number) > 65535) {
        problems.push(problem('ASDK_CONFIG_ENV_OVERRIDE', { name: override.name, value: text, expected: 'a port number (0-65535)' }, { path: `${section}.${key}` }));
        continue;
      }
    } else if (override.kind === 'list') {
      parsed = text.split(',').map((part) => part.trim()).filter(Boolean);
    }
    const current = value[section];
    value[section] = { ...(current && typeof current === 'object' ? current : {}), [key]: parsed };
  }
  return { value, problems };
}
