import type { Citation, Usage } from '../events/envelope.js';

/** Per-run limits; exceeding one ends the run with `run.failed` and its code. */
export interface RunLimits {
  readonly maxSteps: number;
  readonly maxToolCalls: number;
  /** Input + output tokens over the whole run. */
  readonly maxTokens: number;
  /** Wall-clock milliseconds. */
  readonly timeoutMs: number;
}

/** How a session's history is kept small: older messages summarised or dropped. */
export interface MemoryPolicy {
  readonly maxMessages?: number;
  readonly maxTokens?: number;
  readonly strategy?: 'summarize' | 'truncate';
}

/**
 * An agent: instructions, a model fallback chain, the tools it may call, sub-agents it may delegate to.
 *
 * @example
 * ```ts
 * const helper = defineAgent({ instructions: 'Be brief.', model: ['fast', 'default'], tools: ['calculator.*'] });
 * ```
 */
export interface AgentDefinition {
  readonly name?: string;
  /** One line on what the agent is good at; the model of a supervising agent reads it on the `agent.<name>` tool. */
  readonly description?: string;
  readonly instructions: string;
  /** Names from the `models` config, tried in order (fallback chain). Default `['default']`. */
  readonly model?: string | readonly string[];
  /** Tool names; `prefix.*` selects a whole pack. Default none. */
  readonly tools?: readonly string[];
  /** Sub-agents offered to this agent as tools (`agent.<name>`); each call is a nested run. */
  readonly agents?: Readonly<Record<string, AgentDefinition>>;
  readonly limits?: Partial<RunLimits>;
  readonly memory?: MemoryPolicy;
  /** Passed to the model; providers' defaults when omitted. */
  readonly temperature?: number;
  readonly maxOutputTokens?: number;
}

/** Declares an agent for `kernel.runs.start({ agent })`; the runtime validates it when a run starts. */
export function defineAgent(definition: AgentDefinition): AgentDefinition {
  return definition;
}

/** A named, described agent offered to users (`assistant_tools`, ...), contributed to `extensionPoints.presets`. */
export interface PresetDefinition extends AgentDefinition {
  readonly name: string;
  readonly description: string;
}

/** Declares a preset; contribute it to `extensionPoints.presets`. Validated when the runtime starts. */
export function definePreset(preset: PresetDefinition): PresetDefinition {
  return preset;
}

export interface RunResult {
  readonly runId: string;
  readonly sessionId: string;
  /** Set on a nested run (a delegation). */
  readonly parentRunId?: string;
  readonly status: 'completed' | 'failed' | 'cancelled';
  readonly output?: string;
  readonly usage: Usage;
  readonly error?: { readonly code: string; readonly message: string };
  /** Sources the final answer quotes, when the model or the runtime found some. */
  readonly citations?: readonly Citation[];
}
