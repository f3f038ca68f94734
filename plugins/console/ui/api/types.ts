/**
 * The shapes the console reads from the HTTP API (docs/http-api.md, docs/events.md). Kept loose on
 * purpose: envelope v1 grows by additions (new event types, new optional fields), and the console shows
 * what it does not know rather than failing on it.
 */

export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd?: number;
}

export interface Citation {
  readonly source: string;
  readonly chunkId: string;
  readonly quote: string;
}

export interface EventOrigin {
  readonly runId: string;
  readonly seq: number;
  readonly agent?: string;
}

/** Event envelope v1. */
export interface Envelope {
  readonly v: number;
  readonly id: string;
  readonly seq: number;
  readonly runId: string;
  readonly sessionId: string;
  readonly orgId: string;
  readonly parentRunId?: string;
  readonly origin?: EventOrigin;
  readonly stream: string;
  readonly type: string;
  readonly ts: string;
  readonly data: any;
}

/** RFC 9457 problem details with agent-sdk's members. */
export interface Problem {
  readonly type?: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly code?: string;
  readonly hint?: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
  readonly instance?: string;
  readonly requestId?: string;
}

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface RunResource {
  readonly id: string;
  readonly orgId: string;
  readonly sessionId: string;
  readonly parentRunId?: string;
  readonly preset?: string;
  readonly agent?: string;
  readonly status: RunStatus;
  readonly input: string;
  readonly output?: string;
  readonly usage?: Usage;
  readonly error?: { readonly code: string; readonly message: string };
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly links: { readonly self: string; readonly events: string; readonly cancel: string };
}

export interface RunAccepted {
  readonly runId: string;
  readonly sessionId: string;
  readonly orgId: string;
  readonly links: RunResource['links'];
}

export interface SessionResource {
  readonly id: string;
  readonly orgId: string;
  readonly title?: string;
  readonly preset?: string;
  readonly metadata?: Record<string, unknown>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

export interface SessionDetail {
  readonly session: SessionResource;
  readonly runs: Page<RunResource>;
}

export interface SessionMessage {
  readonly position: number;
  readonly runId?: string;
  readonly message: { readonly role: string; readonly content: string; readonly [key: string]: unknown };
  readonly createdAt: string;
}

export interface Preset {
  readonly name: string;
  readonly description: string;
  readonly instructions: string;
  readonly model?: string | readonly string[];
  readonly tools?: readonly string[];
  readonly agents?: readonly string[];
}

export interface Tool {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly input: unknown;
  readonly output: unknown;
  readonly timeoutMs: number;
  readonly capabilities: readonly string[];
}

export interface Health {
  readonly status: 'ok' | 'degraded' | 'draining';
  readonly version: string;
  readonly uptimeMs: number;
  readonly auth: { readonly required: boolean; readonly schemes: readonly string[] };
  readonly storage: { readonly ok: boolean; readonly adapter: string; readonly detail?: string; readonly pendingMigrations?: number };
  readonly streams: { readonly subscribers: number; readonly runs: number; readonly sse: number; readonly wsConnections: number };
}

interface Latency {
  readonly count: number;
  readonly p50Seconds: number | null;
  readonly p95Seconds: number | null;
}

/** GET /stats (the observability plugin); absent on servers without it. */
export interface Stats {
  readonly since: string;
  readonly uptimeSeconds: number;
  readonly runs: { readonly started: number; readonly completed: number; readonly failed: number; readonly cancelled: number; readonly active: number; readonly queued: number; readonly duration: Latency };
  readonly steps: Latency;
  readonly tokens: { readonly input: number; readonly output: number; readonly costUsd: number };
  readonly models: readonly { readonly model: string; readonly provider: string | null; readonly calls: number; readonly errors: number; readonly latency: Latency; readonly inputTokens: number; readonly outputTokens: number }[];
  readonly tools: readonly { readonly tool: string; readonly calls: number; readonly errors: number; readonly latency: Latency }[];
}
