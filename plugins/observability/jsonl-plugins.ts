import { join, resolve } from 'node:path';
import { Type } from 'typebox';
import { definePlugin, extensionPoints, ports, type Counter, type MetricsPort } from '../../core/index.js';
import { JsonlFileExporter } from './jsonl-file-exporter.js';
import { JsonlStreamExporter } from './jsonl-stream-exporter.js';

const MiB = 1024 * 1024;
const Exclude = Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Event types to leave out, e.g. ["assistant.delta"]' });

function droppedCounter(metrics: MetricsPort | undefined): Counter | undefined {
  return metrics?.counter({ name: 'agent_sdk_exporter_dropped_envelopes_total', help: 'Envelopes an exporter dropped because its output fell behind', labelNames: ['exporter'] });
}

/** `jsonl-file:` in the config file. */
export const JsonlFileConfig = Type.Object(
  {
    dir: Type.String({ default: '', description: 'Folder of the files (relative to the config file); default <kernel.dataDir>/logs' }),
    maxFileBytes: Type.Integer({ minimum: 4096, default: 64 * MiB, description: 'A file is rotated before it grows past this' }),
    maxTotalBytes: Type.Integer({ minimum: 4096, default: 1024 * MiB, description: 'The oldest files are deleted beyond this (at least maxFileBytes)' }),
    exclude: Exclude,
    maxBufferedEnvelopes: Type.Integer({ minimum: 1, default: 100_000, description: 'Envelopes waiting for the disk beyond this are dropped and counted' }),
    flushIntervalMs: Type.Integer({ minimum: 0, maximum: 60_000, default: 100, description: 'Longest an envelope waits to be written: one write per interval (sooner under load)' }),
  },
  { additionalProperties: false },
);

/**
 * The `jsonl-file` plugin: run logs as JSON Lines under `<kernel.dataDir>/logs/`: every envelope, one file per
 * UTC day (`events-2026-01-31.jsonl`), rotated by size (`.1.jsonl`, `.2.jsonl`, ...), the oldest deleted beyond
 * `maxTotalBytes`. Read one run back with `grep '"runId":"run_…"'`, `jq`, or `readRunLog(dir, runId)`.
 *
 * @example
 * ```yaml
 * jsonl-file:
 *   maxTotalBytes: 268435456   # 256 MiB of logs at most
 *   exclude: [assistant.delta]
 * ```
 */
export const jsonlFilePlugin = definePlugin({
  id: 'jsonl-file',
  version: '1.0.0',
  description: 'Run logs: every event envelope as JSON Lines in daily, size-rotated files with a disk budget',
  config: JsonlFileConfig,
  optional: { metrics: ports.metrics },
  async init(ctx) {
    const { config, kernel } = ctx;
    const exporter = await JsonlFileExporter.open({
      dir: config.dir ? resolve(kernel.baseDir, config.dir) : join(kernel.dataDir, 'logs'),
      maxFileBytes: config.maxFileBytes,
      maxTotalBytes: config.maxTotalBytes,
      exclude: config.exclude,
      maxBufferedEnvelopes: config.maxBufferedEnvelopes,
      flushIntervalMs: config.flushIntervalMs,
      logger: ctx.logger,
      dropped: droppedCounter(ctx.deps.metrics),
    });
    // The runtime owns the exporter from here: it shuts it down after the last run has ended.
    ctx.contribute(extensionPoints.exporters, exporter);
  },
});

/** `jsonl-stdout:` in the config file. */
export const JsonlStdoutConfig = Type.Object(
  {
    exclude: Exclude,
    maxBufferedBytes: Type.Integer({ minimum: 1024, default: 4 * MiB, description: 'Envelopes are dropped while stdout holds more than this unread' }),
  },
  { additionalProperties: false },
);

/**
 * The `jsonl-stdout` plugin: every envelope as one JSON line on stdout, for a container's log collector. Not in
 * the batteries (the CLI writes its own output to stdout): add it with `createKernel({ plugins: [jsonlStdoutPlugin] })`
 * or `plugins.load`.
 */
export const jsonlStdoutPlugin = definePlugin({
  id: 'jsonl-stdout',
  version: '1.0.0',
  description: 'Every event envelope as JSON Lines on stdout',
  config: JsonlStdoutConfig,
  optional: { metrics: ports.metrics },
  init(ctx) {
    ctx.contribute(
      extensionPoints.exporters,
      new JsonlStreamExporter({ sink: process.stdout, exclude: ctx.config.exclude, maxBufferedBytes: ctx.config.maxBufferedBytes, logger: ctx.logger, dropped: droppedCounter(ctx.deps.metrics) }),
    );
  },
});
