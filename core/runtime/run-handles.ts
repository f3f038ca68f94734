import { sdkError } from '../errors/agent-sdk-error.js';
import type { EventEnvelope } from '../events/envelope.js';
import type { RunResult } from '../ports/agent.js';
import type { RunHandle } from '../ports/runs.js';
import type { OrgScope, RunRecord } from '../ports/storage.js';
import { RunEventIterator, type RunFollowing } from './event-subscription.js';
import type { RunExecution } from './run-execution.js';
import type { RuntimeServices } from './runtime-services.js';

/** A handle to a run executing in this process. */
export class LocalRunHandle implements RunHandle {
  readonly #execution: RunExecution;
  readonly #services: Pick<RuntimeServices, 'storage' | 'bus'>;

  constructor(execution: RunExecution, services: Pick<RuntimeServices, 'storage' | 'bus'>) {
    this.#execution = execution;
    this.#services = services;
  }

  get id(): string {
    return this.#execution.id;
  }
  get sessionId(): string {
    return this.#execution.spec.sessionId;
  }
  get orgId(): string {
    return this.#execution.spec.scope.orgId;
  }
  get parentRunId(): string | undefined {
    return this.#execution.spec.parent?.execution.id;
  }

  events(afterSeq?: number): AsyncIterable<EventEnvelope> {
    const execution = this.#execution;
    const following: RunFollowing = { executingHere: () => !execution.ended, localEnd: execution.completion, isOver: () => execution.ended };
    return new RunEventIterator(this.#services.storage.events, this.#services.bus, execution.spec.scope, this.id, afterSeq, following);
  }

  result(): Promise<RunResult> {
    return this.#execution.completion;
  }

  async cancel(reason = 'cancelled'): Promise<void> {
    this.#execution.cancel(reason);
    await this.#execution.completion;
  }
}

/** A handle to a run known from storage: finished, or executing in another process. */
export class StoredRunHandle implements RunHandle {
  readonly #record: RunRecord;
  readonly #scope: OrgScope;
  readonly #services: Pick<RuntimeServices, 'storage' | 'bus'>;

  constructor(record: RunRecord, scope: OrgScope, services: Pick<RuntimeServices, 'storage' | 'bus'>) {
    this.#record = record;
    this.#scope = scope;
    this.#services = services;
  }

  get id(): string {
    return this.#record.id;
  }
  get sessionId(): string {
    return this.#record.sessionId;
  }
  get orgId(): string {
    return this.#scope.orgId;
  }
  get parentRunId(): string | undefined {
    return this.#record.parentRunId;
  }

  /** Replays, then follows the log by polling (no bus reaches across processes) until the run is over. */
  events(afterSeq?: number): AsyncIterable<EventEnvelope> {
    const { storage } = this.#services;
    const following: RunFollowing = {
      executingHere: () => false,
      isOver: async () => {
        const record = await storage.runs.get(this.#scope, this.id);
        return record === undefined || isFinished(record);
      },
    };
    return new RunEventIterator(storage.events, this.#services.bus, this.#scope, this.id, afterSeq, following);
  }

  async result(): Promise<RunResult> {
    let record = this.#record;
    if (!isFinished(record)) {
      // Executing elsewhere: follow its log until it is over, then read the record it left.
      for await (const _ of this.events()) void _;
      record = (await this.#services.storage.runs.get(this.#scope, this.id)) ?? record;
    }
    return {
      runId: record.id,
      sessionId: record.sessionId,
      ...(record.parentRunId !== undefined && { parentRunId: record.parentRunId }),
      status: record.status === 'completed' || record.status === 'cancelled' ? record.status : 'failed',
      ...(record.output !== undefined && { output: record.output }),
      usage: record.usage ?? { inputTokens: 0, outputTokens: 0 },
      ...(record.error !== undefined && { error: record.error }),
    };
  }

  async cancel(): Promise<void> {
    if (isFinished(this.#record)) return;
    const current = await this.#services.storage.runs.get(this.#scope, this.id);
    if (current && isFinished(current)) return;
    throw sdkError('ASDK_RUN_NOT_LOCAL', { runId: this.id });
  }
}

function isFinished(record: RunRecord): boolean {
  return record.status === 'completed' || record.status === 'failed' || record.status === 'cancelled';
}
