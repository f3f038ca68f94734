import { kernelErrors } from './codes/kernel.js';
import { observabilityErrors } from './codes/observability.js';
import { ragErrors } from './codes/rag.js';
import { runtimeErrors } from './codes/runtime.js';
import { storageErrors } from './codes/storage.js';
import { serverErrors } from './codes/server.js';
import { toolErrors } from './codes/tools.js';

/** What the registry knows about one code. `message` and `hint` are templates with `{param}` slots. */
export interface ErrorSpec {
  /** HTTP status a transport answers with when this error reaches a client. */
  readonly status: number;
  readonly message: string;
  readonly hint: string;
}

/**
 * Every error code the product raises, in one registry (one file per area under `codes/`).
 * docs/errors.md is generated from it (`npm run docs:errors`) and a test fails when they drift.
 */
export const errorCodes = {
  ...kernelErrors,
  ...runtimeErrors,
  ...storageErrors,
  ...serverErrors,
  ...toolErrors,
  ...observabilityErrors,
  ...ragErrors,
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCodes;

/** Groups in the order docs/errors.md shows them. */
export const errorGroups: ReadonlyArray<{ title: string; codes: Record<string, ErrorSpec> }> = [
  { title: 'Kernel, plugins and configuration', codes: kernelErrors },
  { title: 'Runtime, models and runs', codes: runtimeErrors },
  { title: 'Storage', codes: storageErrors },
  { title: 'Server and gateway', codes: serverErrors },
  { title: 'Tools', codes: toolErrors },
  { title: 'Memory and retrieval (RAG)', codes: ragErrors },
  { title: 'Observability: exporters, metrics and run logs', codes: observabilityErrors },
];
