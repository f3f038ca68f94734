/**
 * The OpenTelemetry GenAI semantic conventions this plugin emits, copied from
 * `@opentelemetry/semantic-conventions/incubating` 1.45 as that package advises for incubating names (they may
 * change between releases; test/plugins/observability-otel checks these against the installed package).
 */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  /** Deprecated in favour of gen_ai.provider.name; still emitted for backends that read only this. */
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  responseModel: 'gen_ai.response.model',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  responseTimeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  agentName: 'gen_ai.agent.name',
  conversationId: 'gen_ai.conversation.id',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolType: 'gen_ai.tool.type',
  toolCallArguments: 'gen_ai.tool.call.arguments',
  toolCallResult: 'gen_ai.tool.call.result',
  errorType: 'error.type',
} as const;

/** Values of gen_ai.operation.name. */
export const GEN_AI_OPERATION = { chat: 'chat', executeTool: 'execute_tool', invokeAgent: 'invoke_agent' } as const;

/** agent-sdk's own attributes, beside the conventions. */
export const AGENT_SDK = {
  runId: 'agent_sdk.run.id',
  parentRunId: 'agent_sdk.run.parent_id',
  orgId: 'agent_sdk.org.id',
  preset: 'agent_sdk.preset',
  runStatus: 'agent_sdk.run.status',
  step: 'agent_sdk.step',
  model: 'agent_sdk.model',
  attempt: 'agent_sdk.model.attempt',
  toolVersion: 'agent_sdk.tool.version',
  costUsd: 'agent_sdk.usage.cost_usd',
} as const;
