import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from './ports/clock.js';
import type { Logger, LogLevel } from './ports/logger.js';
import type { Secrets } from './ports/secrets.js';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * The kernel's default logger: one JSON object per line on stderr. A plugin that provides `ports.logger`
 * (observability's pino logger) replaces it.
 */
export function createJsonLogger(options: { level: LogLevel; write?: (line: string) => void; fields?: Record<string, unknown> }): Logger {
  const threshold = LEVELS[options.level];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const base = options.fields ?? {};
  const log = (level: Exclude<LogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    write(`${JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...base, ...fields }, errorReplacer)}\n`);
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => createJsonLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  return value;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
};

export function envSecrets(env: Readonly<Record<string, string | undefined>>): Secrets {
  return { get: (name) => env[name] };
}
