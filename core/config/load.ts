import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { sdkError } from '../errors/agent-sdk-error.js';

/** File names looked for in the working directory, in this order. */
export const CONFIG_FILE_NAMES = ['agent-sdk.config.yaml', 'agent-sdk.config.yml', 'agent-sdk.config.json', 'agent-sdk.config.mjs'] as const;

export interface ConfigSource {
  /** The parsed, not yet interpolated config. */
  readonly raw: Record<string, unknown>;
  /** Absolute path of the file, when there is one. */
  readonly file?: string;
  /** Relative paths inside the config resolve against this folder. */
  readonly baseDir: string;
}

/** Finds the config file of `cwd`: undefined when there is none, an error when there are several. */
export function findConfigFile(cwd: string): string | undefined {
  const found = CONFIG_FILE_NAMES.map((name) => join(cwd, name)).filter((file) => existsSync(file));
  if (found.length > 1) throw sdkError('ASDK_CONFIG_AMBIGUOUS', { dir: cwd, files: found.map((f) => f.slice(cwd.length + 1)) });
  return found[0];
}

/**
 * Reads the config: the explicit `file` (or AGENT_SDK_CONFIG), else the one in `cwd`, else none at all
 * (the embedded default). Syntax errors are thrown with the position; everything else is left to validation.
 */
export async function readConfigSource(options: { cwd: string; file?: string; env: Readonly<Record<string, string | undefined>> }): Promise<ConfigSource> {
  const explicit = options.file ?? options.env.AGENT_SDK_CONFIG;
  const file = explicit ? resolve(options.cwd, explicit) : findConfigFile(options.cwd);
  if (!file) return { raw: {}, baseDir: options.cwd };
  if (!existsSync(file)) throw sdkError('ASDK_CONFIG_NOT_FOUND', { file });
  const raw = await parseConfigFile(file);
  if (raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw sdkError('ASDK_CONFIG_PARSE', { file, reason: 'the top level must be a mapping of sections (server:, storage:, ...)' });
  }
  return { raw: (raw ?? {}) as Record<string, unknown>, file, baseDir: dirname(file) };
}

async function parseConfigFile(file: string): Promise<unknown> {
  const extension = extname(file).toLowerCase();
  if (extension === '.mjs' || extension === '.js') {
    try {
      const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
      const exported = module.default;
      return typeof exported === 'function' ? await (exported as () => unknown)() : exported;
    } catch (error) {
      throw sdkError('ASDK_CONFIG_PARSE', { file, reason: (error as Error).message }, { cause: error });
    }
  }
  const text = readFileSync(file, 'utf8');
  if (extension === '.json') {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw sdkError('ASDK_CONFIG_PARSE', { file, reason: (error as Error).message }, { cause: error });
    }
  }
  try {
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    const reason = error instanceof YAMLParseError ? error.message.split('\n')[0] : String(error);
    throw sdkError('ASDK_CONFIG_PARSE', { file, reason }, { cause: error });
  }
}
