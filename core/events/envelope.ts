import { Type, type Static, type TSchema } from 'typebox';

/**
 * Event envelope v1: the one shape every transport, store and UI shares (docs/events.md).
 * Additions only within v1: new optional fields, new event types, new optional data fields.
 */

export const Usage = Type.Object(
  {
    inputTokens: Type.Integer({ minimum: 0 }),
    outputTokens: Type.Integer({ minimum: 0 }),
    /** Present when a price is known for every model that was used. */
    costUsd: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { $id: 'Usage' },
);
export type Usage = Static<typeof Usage>;

export const Citation = Type.Object({
  source: Type.String(),
  chunkId: Type.String(),
  quote: Type.String(),
});
export type Citation = Static<typeof Citation>;

export const RunErrorInfo = Type.Object({ code: Type.String(), message: Type.String() });

/** Data schema of each event type, by stream. */
export const eventDataSchemas = {
  lifecycle: {
    'run.queued': Type.Object({ preset: Type.Optional(Type.String()), agent: Type.Optional(Type.String()) }),
    'run.started': Type.Object({ preset: Type.Optional(Type.String()), agent: Type.Optional(Type.String()) }),
    'step.started': Type.Object({ step: Type.Integer({ minimum: 1 }) }),
    'step.completed': Type.Object({ step: Type.Integer({ minimum: 1 }), usage: Usage, model: Type.Optional(Type.String()) }),
    'model.retry': Type.Object({
      step: Type.Integer({ minimum: 1 }),
      model: Type.String(),
      attempt: Type.Integer({ minimum: 1 }),
      delayMs: Type.Number({ minimum: 0 }),
      reason: Type.String(),
    }),
    'model.fallback': Type.Object({
      step: Type.Integer({ minimum: 1 }),
      from: Type.String(),
      to: Type.String(),
      reason: Type.String(),
    }),
    'memory.compacted': Type.Object({
      strategy: Type.String(),
      removedMessages: Type.Integer({ minimum: 0 }),
      keptMessages: Type.Integer({ minimum: 0 }),
    }),
    'policy.denied': Type.Object({ point: Type.String(), policy: Type.String(), reason: Type.String() }),
    'run.completed': Type.Object({ output: Type.String(), usage: Usage }),
    'run.failed': Type.Object({ error: RunErrorInfo, usage: Usage }),
    'run.cancelled': Type.Object({ reason: Type.String(), usage: Usage }),
  },
  assistant: {
    'assistant.delta': Type.Object({ text: Type.String() }),
    'assistant.message': Type.Object({ text: Type.String(), citations: Type.Optional(Type.Array(Citation)) }),
  },
  tool: {
    'tool.call': Type.Object({ callId: Type.String(), name: Type.String(), version: Type.String(), args: Type.Unknown() }),
    'tool.result': Type.Object({ callId: Type.String(), result: Type.Unknown(), durationMs: Type.Number({ minimum: 0 }) }),
    'tool.error': Type.Object({ callId: Type.String(), code: Type.String(), message: Type.String() }),
  },
} as const;

type DataSchemas = typeof eventDataSchemas;
export type EventStream = keyof DataSchemas;
/** `run.started`, `tool.call`, ... */
export type EventType = { [S in EventStream]: keyof DataSchemas[S] & string }[EventStream];
/** The data carried by an event of type T. */
export type EventData<T extends EventType> = {
  [S in EventStream]: T extends keyof DataSchemas[S] ? (DataSchemas[S][T] extends TSchema ? Static<DataSchemas[S][T]> : never) : never;
}[EventStream];

export const TERMINAL_EVENT_TYPES = ['run.completed', 'run.failed', 'run.cancelled'] as const;
export type TerminalEventType = (typeof TERMINAL_EVENT_TYPES)[number];

export function isTerminalEventType(type: string): type is TerminalEventType {
  return type === 'run.completed' || type === 'run.failed' || type === 'run.cancelled';
}

/** The stream an event type belongs to. */
export function streamOf(type: EventType): EventStream {
  return type.startsWith('assistant.') ? 'assistant' : type.startsWith('tool.') ? 'tool' : 'lifecycle';
}

/**
 * Set on an event that a nested run (a delegation of the multi-agent preset) mirrored into its parent's log:
 * the nested run's id and the event's seq there. Nested terminal events are not mirrored; the parent sees the
 * delegation end as the `tool.result` or `tool.error` of the delegating tool call.
 */
export const EventOrigin = Type.Object({
  runId: Type.String(),
  seq: Type.Integer({ minimum: 1 }),
  agent: Type.Optional(Type.String()),
});
export type EventOrigin = Static<typeof EventOrigin>;

const envelopeFields = {
  v: Type.Literal(1),
  id: Type.String({ description: '"<runId>:<seq>", unique across runs' }),
  seq: Type.Integer({ minimum: 1, description: 'Starts at 1 per run, no gaps' }),
  runId: Type.String(),
  sessionId: Type.String(),
  orgId: Type.String(),
  parentRunId: Type.Optional(Type.String()),
  origin: Type.Optional(EventOrigin),
  ts: Type.String({ format: 'date-time', description: 'ISO 8601 time the event was created' }),
};

function envelopeVariants() {
  const variants: TSchema[] = [];
  for (const [stream, types] of Object.entries(eventDataSchemas)) {
    for (const [type, data] of Object.entries(types)) {
      variants.push(Type.Object({ ...envelopeFields, stream: Type.Literal(stream), type: Type.Literal(type), data }));
    }
  }
  return variants;
}

/** The envelope v1 schema: a union discriminated by `type`. Exported as JSON Schema in docs/event-envelope.schema.json. */
export const EventEnvelopeSchema = Type.Union(envelopeVariants(), { $id: 'EventEnvelopeV1', title: 'agent-sdk event envelope v1' });

/** An event envelope of type T (any type when T is omitted). */
export interface EventEnvelope<T extends EventType = EventType> {
  readonly v: 1;
  readonly id: string;
  readonly seq: number;
  readonly runId: string;
  readonly sessionId: string;
  readonly orgId: string;
  readonly parentRunId?: string;
  /** Present when this event was mirrored from a nested run. */
  readonly origin?: EventOrigin;
  readonly stream: EventStream;
  readonly type: T;
  readonly ts: string;
  readonly data: EventData<T>;
}

/** An event before the event log has given it a seq: what the runtime hands to storage. */
export interface EventDraft<T extends EventType = EventType> {
  readonly type: T;
  readonly data: EventData<T>;
  /** Defaults to the time of the append. */
  readonly ts?: string;
  readonly origin?: EventOrigin;
}
