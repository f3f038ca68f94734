import type { EventEnvelope } from '../events/envelope.js';
import type { AgentDefinition, PresetDefinition, RunLimits, RunResult } from './agent.js';
import type { OrgScope } from './storage.js';

export interface RunRequest {
  /** A preset name (`assistant_tools`), or give `agent` instead. */
  readonly preset?: string;
  readonly agent?: AgentDefinition;
  readonly input: string;
  /** Continue this session (its history is the context); a new session when omitted. */
  readonly sessionId?: string;
  /** Default: the default org. */
  readonly orgId?: string;
  readonly limits?: Partial<RunLimits>;
  /** Aborting it cancels the run. */
  readonly signal?: AbortSignal;
  /** Who started it, for policies and audit. */
  readonly actor?: string;
  /** The actor's scopes, for policies. */
  readonly scopes?: readonly string[];
  /**
   * A client's key for this request: a second start with the same key (same org) returns the first run's
   * handle instead of starting another run.
   */
  readonly idempotencyKey?: string;
}

/** A run in flight or finished. */
export interface RunHandle {
  readonly id: string;
  readonly sessionId: string;
  readonly orgId: string;
  /** Set on a nested run (a delegation). */
  readonly parentRunId?: string;
  /**
   * Every envelope with `seq > afterSeq`: replayed from storage, then live, until the terminal event.
   * Each call is an independent subscription.
   */
  events(afterSeq?: number): AsyncIterable<EventEnvelope>;
  /** Resolves when the run ends, whatever the outcome; never rejects for a failed run. */
  result(): Promise<RunResult>;
  /**
   * Cancels the run if it is still going (`run.cancelled`) and resolves once it has ended; a no-op
   * afterwards. Refused (ASDK_RUN_NOT_LOCAL) for a run that another process is executing.
   */
  cancel(reason?: string): Promise<void>;
}

/** The runtime's service: `kernel.runs`. */
export interface RunService {
  start(request: RunRequest): Promise<RunHandle>;
  /** A handle to an existing run of the org (live or finished), or undefined. */
  get(scope: OrgScope, runId: string): Promise<RunHandle | undefined>;
  presets(): readonly PresetDefinition[];
  /** A preset by name, or undefined. */
  preset(name: string): PresetDefinition | undefined;
}
