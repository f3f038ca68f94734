import type { RunLimits, MemoryPolicy } from '../ports/agent.js';
import type { EventBus } from '../ports/event-bus.js';
import type { Logger } from '../ports/logger.js';
import type { ModelPort, ModelRequest, RoutedModelEvent } from '../ports/model.js';
import type { PolicyPort } from '../ports/policy.js';
import type { StoragePort } from '../ports/storage.js';
import type { ToolOutcome, ToolPort } from '../ports/tool.js';
import type { ResolvedAgent } from './agent-resolver.js';
import type { DeadlineQueue } from './deadlines.js';
import type { EventExporters } from './event-exporters.js';
import type { Interrupt } from './interrupt.js';
import type { HistorySummarizer } from './summarizer.js';
import type { RunExecution } from './run-execution.js';
import type { ToolCallBase } from './tool-registry.js';

/** Everything a run needs from the kernel, resolved once when the runtime starts. */
export interface RuntimeServices {
  readonly storage: StoragePort;
  readonly bus: EventBus;
  /** The contributed exporters, handed every batch right after it is published (empty: costs a length check). */
  readonly exporters: EventExporters;
  readonly router: ModelPort;
  readonly tools: ToolPort;
  readonly policy: PolicyPort;
  /** Which policy points anyone watches; the others are skipped without a call. */
  readonly policyActive: {
    readonly beforeRun: boolean;
    readonly beforeModelCall: boolean;
    readonly beforeToolCall: boolean;
    readonly onEvent: boolean;
    readonly afterRun: boolean;
  };
  readonly logger: Logger;
  readonly timestamp: () => string;
  readonly defaults: { readonly limits: RunLimits; readonly memory: MemoryPolicy };
  /** The history summariser for an agent with this model chain (`runtime.summarizer`; set when the runtime starts). */
  summarizerFor(chain: readonly string[]): HistorySummarizer;
  /** The router's stream, interrupted by the run (fast path for the built-in router). */
  stream(chain: readonly string[], request: ModelRequest, interrupt: Interrupt): AsyncIterable<RoutedModelEvent>;
  /** A registry call, interrupted by the run (fast path for the built-in registry). */
  callTool(name: string, args: unknown, base: ToolCallBase, interrupt: Interrupt): Promise<ToolOutcome>;
  /** Wall-clock limits of every run. */
  readonly deadlines: DeadlineQueue;
  /** Called once when a run has recorded its end, before its result resolves. */
  ended(execution: RunExecution): void;
  /** Creates and starts a nested run for a delegation; resolves once it has started. */
  startNested(parent: RunExecution, agent: ResolvedAgent, agentName: string, task: string): Promise<RunExecution>;
}
