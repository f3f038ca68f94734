import type { Citation, Envelope, EventOrigin, Usage } from '../api/types.js';

export type LaneStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** Streamed text of one step. `superseded` holds why it was voided (a retry or a fallback). */
export interface TextBlock {
  readonly kind: 'text';
  readonly key: string;
  readonly step: number;
  text: string;
  done: boolean;
  superseded?: string;
  citations?: readonly Citation[];
  readonly seq: number;
}

/** One tool call, from `tool.call` to its result or error. A sub-agent call holds the nested run. */
export interface ToolBlock {
  readonly kind: 'tool';
  readonly key: string;
  readonly callId: string;
  readonly name: string;
  readonly version: string;
  readonly args: unknown;
  readonly step: number;
  readonly ts: string;
  readonly seq: number;
  state: 'running' | 'ok' | 'error';
  result?: unknown;
  error?: { readonly code: string; readonly message: string };
  durationMs?: number;
  nested?: Lane;
}

/** A lifecycle event (or one of a type this console does not know) on the timeline. */
export interface EventBlock {
  readonly kind: 'event';
  readonly key: string;
  readonly type: string;
  readonly data: any;
  readonly ts: string;
  readonly seq: number;
}

/** A nested run whose delegating call is not in this log (should not happen; shown rather than lost). */
export interface GroupBlock {
  readonly kind: 'group';
  readonly key: string;
  readonly lane: Lane;
}

export type Block = TextBlock | ToolBlock | EventBlock | GroupBlock;

/** What one run (the run itself, or a nested run mirrored into it) did, in order. */
export interface Lane {
  readonly runId: string;
  readonly agent?: string;
  readonly blocks: Block[];
  status: LaneStatus;
  step: number;
  /** Sum of this lane's `step.completed` usage. */
  readonly stepUsage: { inputTokens: number; outputTokens: number; costUsd?: number };
  steps: number;
}

const TERMINAL = new Set(['run.completed', 'run.failed', 'run.cancelled']);
/** Types whose blocks go on the timeline as they are. */
const LIMIT_CODES = new Set(['ASDK_RUN_MAX_STEPS', 'ASDK_RUN_MAX_TOOL_CALLS', 'ASDK_RUN_MAX_TOKENS', 'ASDK_RUN_TIMEOUT']);

/** Whether a run.failed code is a limit (steps, tool calls, tokens, time) rather than an error. */
export function isLimitCode(code: string | undefined): boolean {
  return code !== undefined && LIMIT_CODES.has(code);
}

/**
 * A run as the console shows it, built from its envelopes one at a time (live, replayed or stepped through):
 * text per step (voided by a retry or fallback, replaced by `assistant.message`), tool calls with their results,
 * lifecycle events, and nested runs of a multi-agent preset grouped under the `agent.<name>` call that
 * started them. Each seq is applied once: a replay that overlaps what was shown changes nothing.
 */
export class RunModel {
  readonly runId: string;
  readonly root: Lane;
  readonly events: Envelope[] = [];
  /** Seq ranges that never arrived (a server bug if ever non-empty; shown, not hidden). */
  readonly gaps: { from: number; to: number }[] = [];
  lastSeq = 0;
  /** Bumped by every applied event, for views that re-render on change. */
  version = 0;
  terminal: Envelope | undefined;
  firstTs: string | undefined;
  readonly #lanes = new Map<string, Lane>();
  readonly #calls = new Map<string, ToolBlock>();

  constructor(runId: string) {
    this.runId = runId;
    this.root = lane(runId);
    this.#lanes.set(runId, this.root);
  }

  /** A model of the first `count` events of a list (replay). */
  static from(runId: string, events: readonly Envelope[], count = events.length): RunModel {
    const model = new RunModel(runId);
    for (let i = 0; i < count && i < events.length; i++) model.apply(events[i]);
    return model;
  }

  get status(): LaneStatus {
    return this.root.status;
  }

  /** The run's usage: the terminal event's total (nested runs included), else the steps so far. */
  get usage(): Usage {
    const total = this.terminal?.data?.usage as Usage | undefined;
    if (total) return total;
    const sum = { inputTokens: 0, outputTokens: 0 } as { inputTokens: number; outputTokens: number; costUsd?: number };
    for (const each of this.#lanes.values()) {
      sum.inputTokens += each.stepUsage.inputTokens;
      sum.outputTokens += each.stepUsage.outputTokens;
      if (each.stepUsage.costUsd !== undefined) sum.costUsd = (sum.costUsd ?? 0) + each.stepUsage.costUsd;
    }
    return sum;
  }

  /** The answer: the run's own text that was not voided, in order. */
  get answer(): string {
    return this.root.blocks
      .filter((b): b is TextBlock => b.kind === 'text' && !b.superseded)
      .map((b) => b.text)
      .join('');
  }

  /** Every tool call, nested ones included. */
  get toolCalls(): ToolBlock[] {
    return [...this.#calls.values()];
  }

  /** Milliseconds from the first event to the terminal one (or to the last so far). */
  get elapsedMs(): number {
    if (!this.firstTs || !this.events.length) return 0;
    const end = this.terminal?.ts ?? this.events[this.events.length - 1].ts;
    return Math.max(0, Date.parse(end) - Date.parse(this.firstTs));
  }

  /** Applies one envelope; false when it was already applied (or belongs to another run). */
  apply(envelope: Envelope): boolean {
    if (envelope.runId !== this.runId || envelope.seq <= this.lastSeq) return false;
    if (envelope.seq > this.lastSeq + 1) this.gaps.push({ from: this.lastSeq + 1, to: envelope.seq - 1 });
    this.lastSeq = envelope.seq;
    this.events.push(envelope);
    this.firstTs ??= envelope.ts;
    this.version++;
    const target = envelope.origin ? this.#laneOf(envelope.origin) : this.root;
    this.#applyTo(target, envelope);
    return true;
  }

  #applyTo(target: Lane, e: Envelope): void {
    const data = e.data ?? {};
    const key = `${e.seq}`;
    switch (e.type) {
      case 'assistant.delta': {
        const last = target.blocks[target.blocks.length - 1];
        const open = last?.kind === 'text' && last === openText(target) ? last : undefined;
        if (open) open.text += String(data.text ?? '');
        else target.blocks.push({ kind: 'text', key, step: target.step, text: String(data.text ?? ''), done: false, seq: e.seq });
        return;
      }
      case 'assistant.message': {
        const open = openText(target);
        const citations = Array.isArray(data.citations) && data.citations.length ? (data.citations as Citation[]) : undefined;
        if (open) {
          open.text = String(data.text ?? open.text);
          open.done = true;
          if (citations) open.citations = citations;
        } else {
          target.blocks.push({ kind: 'text', key, step: target.step, text: String(data.text ?? ''), done: true, seq: e.seq, ...(citations && { citations }) });
        }
        return;
      }
      case 'tool.call': {
        const block: ToolBlock = {
          kind: 'tool',
          key,
          callId: String(data.callId),
          name: String(data.name),
          version: String(data.version ?? ''),
          args: data.args,
          step: target.step,
          ts: e.ts,
          seq: e.seq,
          state: 'running',
        };
        this.#calls.set(callKey(target.runId, block.callId), block);
        target.blocks.push(block);
        return;
      }
      case 'tool.result':
      case 'tool.error': {
        const call = this.#calls.get(callKey(target.runId, String(data.callId)));
        if (!call) {
          target.blocks.push({ kind: 'event', key, type: e.type, data, ts: e.ts, seq: e.seq });
          return;
        }
        if (e.type === 'tool.result') {
          call.state = 'ok';
          call.result = data.result;
          call.durationMs = typeof data.durationMs === 'number' ? data.durationMs : undefined;
        } else {
          call.state = 'error';
          call.error = { code: String(data.code), message: String(data.message ?? '') };
          call.durationMs = Math.max(0, Date.parse(e.ts) - Date.parse(call.ts));
        }
        if (call.name.startsWith('agent.')) this.#settleDelegation(call, e.type === 'tool.result' ? data.result : undefined);
        return;
      }
      default:
        break;
    }
    // Lifecycle (and unknown types): on the timeline, and into the lane's state.
    if (e.type === 'model.retry' || e.type === 'model.fallback') {
      const reason = e.type === 'model.retry' ? `retried: ${data.reason ?? ''}` : `fell back from ${data.from} to ${data.to}: ${data.reason ?? ''}`;
      for (const block of target.blocks) {
        if (block.kind === 'text' && !block.done && !block.superseded && block.step === data.step) {
          block.superseded = reason;
          block.done = true;
        }
      }
    } else if (e.type === 'step.started') {
      target.step = Number(data.step) || target.step + 1;
      target.steps = Math.max(target.steps, target.step);
    } else if (e.type === 'step.completed') {
      for (const block of target.blocks) if (block.kind === 'text' && block.step === data.step) block.done = true;
      const usage = data.usage as Usage | undefined;
      if (usage) {
        target.stepUsage.inputTokens += usage.inputTokens ?? 0;
        target.stepUsage.outputTokens += usage.outputTokens ?? 0;
        if (usage.costUsd !== undefined) target.stepUsage.costUsd = (target.stepUsage.costUsd ?? 0) + usage.costUsd;
      }
    } else if (e.type === 'run.queued') {
      target.status = 'queued';
    } else if (e.type === 'run.started') {
      target.status = 'running';
    } else if (TERMINAL.has(e.type)) {
      target.status = e.type === 'run.completed' ? 'completed' : e.type === 'run.failed' ? 'failed' : 'cancelled';
      for (const block of target.blocks) if (block.kind === 'text') block.done = true;
      if (target === this.root) this.terminal = e;
    }
    target.blocks.push({ kind: 'event', key, type: e.type, data, ts: e.ts, seq: e.seq });
  }

  /**
   * The lane of a mirrored event. A nested run seen for the first time belongs to the earliest
   * `agent.<its agent>` call that is still running and has no nested run yet; the call's result names the
   * run it started, and corrects the pairing if parallel calls to one agent started out of order.
   */
  #laneOf(origin: EventOrigin): Lane {
    const known = this.#lanes.get(origin.runId);
    if (known) return known;
    const nested = lane(origin.runId, origin.agent);
    this.#lanes.set(origin.runId, nested);
    const call = [...this.#calls.values()].find((c) => c.state === 'running' && !c.nested && (origin.agent ? c.name === `agent.${origin.agent}` : c.name.startsWith('agent.')));
    if (call) call.nested = nested;
    else this.root.blocks.push({ kind: 'group', key: `group-${origin.runId}`, lane: nested });
    return nested;
  }

  #settleDelegation(call: ToolBlock, result: unknown): void {
    const runId = (result as { runId?: unknown } | undefined)?.runId;
    if (typeof runId === 'string' && call.nested?.runId !== runId) {
      const actual = this.#lanes.get(runId);
      if (actual) {
        const holder = [...this.#calls.values()].find((c) => c.nested === actual);
        if (holder) holder.nested = call.nested;
        call.nested = actual;
      }
    }
    if (call.nested) {
      call.nested.status = call.state === 'ok' ? 'completed' : call.error?.code === 'ASDK_TOOL_CANCELLED' ? 'cancelled' : 'failed';
      for (const block of call.nested.blocks) if (block.kind === 'text') block.done = true;
    }
  }
}

function lane(runId: string, agent?: string): Lane {
  return { runId, ...(agent !== undefined && { agent }), blocks: [], status: 'running', step: 0, steps: 0, stepUsage: { inputTokens: 0, outputTokens: 0 } };
}

function callKey(runId: string, callId: string): string {
  return `${runId}\u0000${callId}`;
}

/** The text block still being streamed in the lane's current step, if any. */
function openText(target: Lane): TextBlock | undefined {
  for (let i = target.blocks.length - 1; i >= 0; i--) {
    const block = target.blocks[i];
    if (block.kind === 'text' && !block.done && !block.superseded && block.step === target.step) return block;
  }
  return undefined;
}
