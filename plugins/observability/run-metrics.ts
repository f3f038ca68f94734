import {
  isTerminalEventType,
  LATENCY_BUCKETS_SECONDS,
  type Counter,
  type EventEnvelope,
  type EventExporter,
  type Gauge,
  type Histogram,
  type MetricsPort,
  type Usage,
} from '../../core/index.js';

/** Run and step durations: 10 ms to 10 minutes. */
const RUN_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** Runs this exporter follows at once; beyond, the oldest is forgotten (its end then counts nothing). */
const MAX_TRACKED_RUNS = 100_000;

/** What the exporter remembers of a run between its events. */
interface RunState {
  readonly agent: string;
  queuedAt: number;
  startedAt: number;
  stepStartedAt: number;
  /** Open tool calls: name and start, by call id. */
  readonly calls: Map<string, { readonly name: string; readonly at: number }>;
}

/**
 * Metrics derived from envelopes (docs/observability.md), as an exporter: runs started and finished, run and
 * step durations, queue wait, active and queued runs, tokens and cost by model and org, tool calls, errors and
 * durations by tool, retries, fallbacks, policy denials, failures by code, events by type. Copies mirrored
 * from nested runs (`origin`) are skipped: each nested run is counted from its own log. Durations come from
 * the envelopes' `ts` (millisecond precision).
 */
export class RunMetricsExporter implements EventExporter {
  readonly name = 'run-metrics';
  readonly #runs = new Map<string, RunState>();
  /** Label objects of agent_sdk_events_total by type, made once (a few dozen types). */
  readonly #typeLabels = new Map<string, { readonly type: string }>();
  /** The last `ts` parsed: a run's events share their millisecond often. */
  #lastTs = '';
  #lastMs = 0;
  readonly #events: Counter;
  readonly #started: Counter;
  readonly #finished: Counter;
  readonly #failures: Counter;
  readonly #runDuration: Histogram;
  readonly #queueWait: Histogram;
  readonly #active: Gauge;
  readonly #queued: Gauge;
  readonly #stepDuration: Histogram;
  readonly #tokens: Counter;
  readonly #cost: Counter;
  readonly #toolCalls: Counter;
  readonly #toolErrors: Counter;
  readonly #toolDuration: Histogram;
  readonly #retries: Counter;
  readonly #fallbacks: Counter;
  readonly #denials: Counter;

  constructor(metrics: MetricsPort) {
    this.#events = metrics.counter({ name: 'agent_sdk_events_total', help: 'Events recorded, by type (mirrored copies of nested runs not counted)', labelNames: ['type'] });
    this.#started = metrics.counter({ name: 'agent_sdk_runs_started_total', help: 'Runs that started executing, by agent', labelNames: ['agent'] });
    this.#finished = metrics.counter({ name: 'agent_sdk_runs_finished_total', help: 'Runs that ended, by agent and status (completed, failed, cancelled)', labelNames: ['agent', 'status'] });
    this.#failures = metrics.counter({ name: 'agent_sdk_run_failures_total', help: 'Failed runs, by error code', labelNames: ['code'] });
    this.#runDuration = metrics.histogram({
      name: 'agent_sdk_run_duration_seconds',
      help: 'Runs, from run.started to their terminal event, by agent and status',
      labelNames: ['agent', 'status'],
      buckets: RUN_BUCKETS_SECONDS,
    });
    this.#queueWait = metrics.histogram({ name: 'agent_sdk_run_queue_wait_seconds', help: 'Queued runs, from run.queued to run.started', labelNames: ['agent'], buckets: LATENCY_BUCKETS_SECONDS });
    this.#active = metrics.gauge({ name: 'agent_sdk_runs_active', help: 'Runs executing in this process (started, not ended)' });
    this.#queued = metrics.gauge({ name: 'agent_sdk_runs_queued', help: 'Runs waiting for a slot (runtime.maxConcurrentRuns)' });
    this.#stepDuration = metrics.histogram({
      name: 'agent_sdk_step_duration_seconds',
      help: 'Steps (a model call and its tool calls), from step.started to step.completed, by the model that answered',
      labelNames: ['model'],
      buckets: RUN_BUCKETS_SECONDS,
    });
    this.#tokens = metrics.counter({ name: 'agent_sdk_tokens_total', help: 'Tokens used, by model, org and type (input, output)', labelNames: ['model', 'org', 'type'] });
    this.#cost = metrics.counter({ name: 'agent_sdk_cost_usd_total', help: 'Cost in USD of steps whose model has a price, by model and org', labelNames: ['model', 'org'] });
    this.#toolCalls = metrics.counter({ name: 'agent_sdk_tool_calls_total', help: 'Tool calls, by tool (delegations to sub-agents are agent.<name>)', labelNames: ['tool'] });
    this.#toolErrors = metrics.counter({ name: 'agent_sdk_tool_errors_total', help: 'Tool calls that ended in tool.error, by tool and code', labelNames: ['tool', 'code'] });
    this.#toolDuration = metrics.histogram({ name: 'agent_sdk_tool_duration_seconds', help: 'Tool calls, by tool and outcome (ok, error)', labelNames: ['tool', 'outcome'], buckets: LATENCY_BUCKETS_SECONDS });
    this.#retries = metrics.counter({ name: 'agent_sdk_model_retries_total', help: 'Model calls retried, by model', labelNames: ['model'] });
    this.#fallbacks = metrics.counter({ name: 'agent_sdk_model_fallbacks_total', help: 'Fallbacks to the next model of a chain', labelNames: ['from', 'to'] });
    this.#denials = metrics.counter({ name: 'agent_sdk_policy_denials_total', help: 'Policy denials, by decision point and policy', labelNames: ['point', 'policy'] });
  }

  /** Runs followed right now (started or queued, not ended). */
  get tracked(): number {
    return this.#runs.size;
  }

  export(envelopes: readonly EventEnvelope[]): void {
    for (const envelope of envelopes) if (envelope.origin === undefined) this.#record(envelope);
  }

  #record(e: EventEnvelope): void {
    let typeLabel = this.#typeLabels.get(e.type);
    if (!typeLabel) this.#typeLabels.set(e.type, (typeLabel = Object.freeze({ type: e.type })));
    this.#events.inc(typeLabel);
    switch (e.type) {
      case 'run.queued': {
        const run = this.#open(e, (e.data as { agent?: string; preset?: string }));
        run.queuedAt = this.#ms(e.ts);
        this.#queued.inc();
        return;
      }
      case 'run.started': {
        const existing = this.#runs.get(e.runId);
        const run = existing ?? this.#open(e, e.data as { agent?: string; preset?: string });
        run.startedAt = this.#ms(e.ts);
        if (run.queuedAt) {
          this.#queued.dec();
          this.#queueWait.observe(seconds(run.queuedAt, run.startedAt), { agent: run.agent });
        }
        this.#started.inc({ agent: run.agent });
        this.#active.inc();
        return;
      }
      case 'step.started': {
        const run = this.#runs.get(e.runId);
        if (run) run.stepStartedAt = this.#ms(e.ts);
        return;
      }
      case 'step.completed': {
        const data = e.data as { usage: Usage; model?: string };
        const model = data.model ?? 'unknown';
        const run = this.#runs.get(e.runId);
        if (run?.stepStartedAt) this.#stepDuration.observe(seconds(run.stepStartedAt, this.#ms(e.ts)), { model });
        this.#usage(data.usage, model, e.orgId);
        return;
      }
      case 'tool.call': {
        const { callId, name } = e.data as { callId: string; name: string };
        this.#toolCalls.inc({ tool: name });
        this.#runs.get(e.runId)?.calls.set(callId, { name, at: this.#ms(e.ts) });
        return;
      }
      case 'tool.result':
      case 'tool.error': {
        const data = e.data as { callId: string; durationMs?: number; code?: string };
        const run = this.#runs.get(e.runId);
        const call = run?.calls.get(data.callId);
        if (!call) return;
        run!.calls.delete(data.callId);
        const ok = e.type === 'tool.result';
        if (!ok) this.#toolErrors.inc({ tool: call.name, code: data.code ?? 'unknown' });
        const durationSeconds = typeof data.durationMs === 'number' ? data.durationMs / 1000 : seconds(call.at, this.#ms(e.ts));
        this.#toolDuration.observe(durationSeconds, { tool: call.name, outcome: ok ? 'ok' : 'error' });
        return;
      }
      case 'model.retry':
        this.#retries.inc({ model: (e.data as { model: string }).model });
        return;
      case 'model.fallback': {
        const { from, to } = e.data as { from: string; to: string };
        this.#fallbacks.inc({ from, to });
        return;
      }
      case 'policy.denied': {
        const { point, policy } = e.data as { point: string; policy: string };
        this.#denials.inc({ point, policy });
        return;
      }
      default:
        if (isTerminalEventType(e.type)) this.#end(e);
    }
  }

  #ms(ts: string): number {
    if (ts !== this.#lastTs) {
      this.#lastTs = ts;
      this.#lastMs = Date.parse(ts);
    }
    return this.#lastMs;
  }

  #open(e: EventEnvelope, label: { agent?: string; preset?: string }): RunState {
    const run: RunState = { agent: label.agent ?? label.preset ?? 'agent', queuedAt: 0, startedAt: 0, stepStartedAt: 0, calls: new Map() };
    this.#runs.set(e.runId, run);
    if (this.#runs.size > MAX_TRACKED_RUNS) this.#forget(this.#runs.keys().next().value!);
    return run;
  }

  #end(e: EventEnvelope): void {
    const status = e.type.slice('run.'.length);
    const run = this.#runs.get(e.runId);
    const agent = run?.agent ?? 'unknown';
    this.#finished.inc({ agent, status });
    if (e.type === 'run.failed') this.#failures.inc({ code: (e.data as { error: { code: string } }).error.code });
    if (!run) return;
    this.#runs.delete(e.runId);
    if (run.startedAt) {
      this.#active.dec();
      this.#runDuration.observe(seconds(run.startedAt, this.#ms(e.ts)), { agent, status });
    } else if (run.queuedAt) this.#queued.dec();
  }

  /** A run too old to follow: its gauges are released. */
  #forget(runId: string): void {
    const run = this.#runs.get(runId)!;
    this.#runs.delete(runId);
    if (run.startedAt) this.#active.dec();
    else if (run.queuedAt) this.#queued.dec();
  }

  #usage(usage: Usage, model: string, org: string): void {
    if (usage.inputTokens) this.#tokens.inc({ model, org, type: 'input' }, usage.inputTokens);
    if (usage.outputTokens) this.#tokens.inc({ model, org, type: 'output' }, usage.outputTokens);
    if (usage.costUsd) this.#cost.inc({ model, org }, usage.costUsd);
  }
}

function seconds(fromMs: number, toMs: number): number {
  return Math.max(0, toMs - fromMs) / 1000;
}
