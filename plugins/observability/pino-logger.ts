import { resolve } from 'node:path';
import { pino, type Logger as PinoLogger } from 'pino';
import { Type } from 'typebox';
import { definePlugin, ports, type KernelInfo, type Logger, type LogLevel, type PluginContext } from '../../core/index.js';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** `logger:` in the config file. */
export const LoggerConfig = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description: 'Log through pino; false keeps the kernel\'s default logger (until plugins can read kernel.logLevel, set level here when enabling)',
    }),
    level: Type.Optional(
      Type.Union(
        LEVELS.map((level) => Type.Literal(level)),
        { description: 'Default: kernel.logLevel (AGENT_SDK_LOG_LEVEL), else info' },
      ),
    ),
    destination: Type.String({ default: 'stderr', minLength: 1, description: 'stderr, stdout, or a file path (relative to the config file; its folder is created)' }),
    sync: Type.Boolean({ default: false, description: 'Write each line before returning (slower); by default lines are written asynchronously and flushed at stop' }),
    redact: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'Field paths whose values are replaced by "[Redacted]", e.g. ["apiKey", "headers.authorization", "*.password"]',
    }),
  },
  { additionalProperties: false },
);

/** The destination of each kernel's logger, to close at stop. */
const made = new WeakMap<object, { readonly destination: ReturnType<typeof pino.destination>; readonly file: boolean }>();

/**
 * The `logger` plugin: `ports.logger` on pino, replacing the kernel's default. The same JSON lines (`level`
 * as a word, an ISO `time`, `msg`, the fields), plus `pid` and `hostname`, written asynchronously so a busy
 * server does not wait for its logs; errors in fields keep their type, message and stack. Listed first in
 * the batteries so every plugin logs through it; off unless `logger.enabled` (then the kernel's default
 * logger is provided unchanged).
 *
 * @example
 * ```yaml
 * logger:
 *   enabled: true
 *   destination: /var/log/agent-sdk/server.log
 *   redact: ["headers.authorization"]
 * ```
 */
export const pinoLoggerPlugin = definePlugin({
  id: 'logger',
  version: '1.0.0',
  description: 'JSON logs on pino (ports.logger), level from kernel.logLevel',
  config: LoggerConfig,
  // The kernel's default logger: kept as it is while the plugin is not enabled.
  requires: { logger: ports.logger },
  provides: [ports.logger],
  init(ctx) {
    const { config } = ctx;
    if (!config.enabled) {
      ctx.provide(ports.logger, ctx.deps.logger);
      return;
    }
    const destination = pino.destination({
      dest: config.destination === 'stderr' ? 2 : config.destination === 'stdout' ? 1 : resolve(ctx.kernel.baseDir, config.destination),
      sync: config.sync,
      mkdir: config.destination !== 'stderr' && config.destination !== 'stdout',
    });
    const instance = pino(
      {
        level: levelOf(ctx),
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        serializers: { error: pino.stdSerializers.err, err: pino.stdSerializers.err },
        ...(config.redact.length && { redact: { paths: [...config.redact], censor: '[Redacted]' } }),
      },
      destination,
    );
    const file = config.destination !== 'stderr' && config.destination !== 'stdout';
    made.set(ctx, { destination, file });
    ctx.provide(ports.logger, asLogger(instance));
  },
  async stop(ctx) {
    const entry = made.get(ctx);
    made.delete(ctx);
    // stderr and stdout stay open (pino flushes them synchronously at process exit); a file is written to the
    // end and closed, so nothing logged before stop is lost.
    if (!entry?.file) return;
    await new Promise<void>((resolve) => {
      entry.destination.once('close', () => resolve());
      entry.destination.once('error', () => resolve());
      entry.destination.end();
    });
  },
});

/** The level: the plugin's own, else the kernel's (when the kernel tells plugins), else AGENT_SDK_LOG_LEVEL, else info. */
function levelOf(ctx: PluginContext<{ level?: LogLevel }>): LogLevel {
  const kernelLevel = (ctx.kernel as KernelInfo & { logLevel?: LogLevel }).logLevel;
  const fromEnv = ctx.kernel.env.AGENT_SDK_LOG_LEVEL as LogLevel | undefined;
  return ctx.config.level ?? kernelLevel ?? (fromEnv && LEVELS.includes(fromEnv) ? fromEnv : 'info');
}

/** pino as the port's Logger: `(message, fields)` becomes pino's `(fields, message)`. */
export function asLogger(instance: PinoLogger): Logger {
  return {
    debug: (message, fields) => (fields ? instance.debug(fields, message) : instance.debug(message)),
    info: (message, fields) => (fields ? instance.info(fields, message) : instance.info(message)),
    warn: (message, fields) => (fields ? instance.warn(fields, message) : instance.warn(message)),
    error: (message, fields) => (fields ? instance.error(fields, message) : instance.error(message)),
    child: (fields) => asLogger(instance.child(fields)),
  };
}
