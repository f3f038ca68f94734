import { Type, type Static } from 'typebox';
import { RunId, StartRunBody } from '../schemas.js';

/** The gateway protocol version this server speaks (docs/gateway.md). */
export const GATEWAY_PROTOCOL = 1;

/** Close codes the gateway uses besides the standard ones (1000 normal, 1001 going away, 1009 too big). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  protocolError: 4000,
  unauthorized: 4001,
  slowConsumer: 4008,
  helloTimeout: 4408,
} as const;

const RequestId = Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })], {
  description: 'Chosen by the client; echoed in res',
});

export const HelloFrame = Type.Object(
  {
    type: Type.Literal('hello'),
    protocol: Type.Integer({ minimum: 0, description: 'Protocol version the client speaks (1)' }),
    apiKey: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'Needed when the server requires keys and the upgrade request carried none' })),
    client: Type.Optional(
      Type.Object({ name: Type.Optional(Type.String({ maxLength: 100 })), version: Type.Optional(Type.String({ maxLength: 50 })) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

export const RequestFrame = Type.Object(
  {
    type: Type.Literal('req'),
    id: RequestId,
    method: Type.String({ minLength: 1, maxLength: 100 }),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
export type RequestFrame = Static<typeof RequestFrame>;

export const PingFrame = Type.Object(
  { type: Type.Literal('ping'), ts: Type.Optional(Type.Number()) },
  { additionalProperties: false },
);

/** Parameters of each method. */
export const methodParams = {
  'run.start': Type.Object(
    {
      ...StartRunBody.properties,
      idempotencyKey: Type.Optional(Type.String({ pattern: '^[\\x21-\\x7E]{1,255}$', description: 'Same semantics as the Idempotency-Key header of POST /run' })),
      subscribe: Type.Optional(Type.Boolean({ description: 'Also subscribe to the run from its first event (the result carries `sub`)' })),
    },
    { additionalProperties: false },
  ),
  'run.get': Type.Object({ runId: RunId }, { additionalProperties: false }),
  'run.cancel': Type.Object({ runId: RunId, reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) }, { additionalProperties: false }),
  'run.subscribe': Type.Object(
    {
      runId: RunId,
      afterSeq: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0, description: 'Replay events with seq > afterSeq, then live' })),
    },
    { additionalProperties: false },
  ),
  'run.unsubscribe': Type.Object({ sub: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
} as const;

export type GatewayMethod = keyof typeof methodParams;
export const GATEWAY_METHODS = Object.keys(methodParams) as GatewayMethod[];
