import type { ErrorSpec } from '../registry.js';

/** Codes raised by observability: exporters, metrics, run logs (docs/observability.md). */
export const observabilityErrors = {
  ASDK_EXPORTER_INVALID: {
    status: 500,
    message: 'Plugin "{plugin}" contributed an exporter without {missing}',
    hint: 'An exporter is an object with a `name` and an `export(envelopes)` function (optionally `flush` and `shutdown`); see EventExporter in docs/observability.md.',
  },
  ASDK_METRIC_INVALID: {
    status: 500,
    message: 'Metric {name} is invalid: {reason}',
    hint: 'Metric names match [a-zA-Z_:][a-zA-Z0-9_:]* and label names [a-zA-Z_][a-zA-Z0-9_]* (not starting with "__"); see docs/observability.md for the naming used here.',
  },
  ASDK_METRIC_CONFLICT: {
    status: 500,
    message: 'Metric {name} is declared twice: first as {first}, then as {second}',
    hint: 'Declare a metric once with one type and one set of label names (declaring the same shape again returns the same instrument), or give the second one another name.',
  },
  ASDK_RUN_LOGS_UNWRITABLE: {
    status: 500,
    message: 'Run logs cannot be written to {dir}: {reason}',
    hint: 'Give jsonl-file.dir a folder this process may create and write (default <kernel.dataDir>/logs), or leave the exporter out with plugins.disable: [jsonl-file].',
  },
} as const satisfies Record<string, ErrorSpec>;
