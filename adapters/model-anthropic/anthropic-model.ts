import type Anthropic from '@anthropic-ai/sdk';
import {
  cutAtCodePoint,
  describeThrown,
  ModelCallError,
  parseRetryAfter,
  vendorToolNames,
  type ChatMessage,
  type FinishReason,
  type ModelClient,
  type ModelRequest,
  type ModelStreamEvent,
  type VendorToolNames,
} from '../../core/index.js';

export interface AnthropicModelOptions {
  readonly model: string;
  readonly apiKey: string;
  readonly baseURL: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The API requires a cap on output tokens. */
  readonly maxOutputTokens: number;
}

type CreateParams = Anthropic.Messages.MessageCreateParamsStreaming;
type MessageParam = Anthropic.Messages.MessageParam;
type ContentBlockParam = Anthropic.Messages.ContentBlockParam;

let sdk: Promise<typeof import('@anthropic-ai/sdk')> | undefined;
const loadSdk = () => (sdk ??= import('@anthropic-ai/sdk'));

/** Errors the API may send inside a 200 stream (`event: error`), by type. */
const STREAM_ERROR_KINDS: Record<string, ModelCallError['kind']> = {
  overloaded_error: 'server',
  api_error: 'server',
  rate_limit_error: 'rate_limited',
  timeout_error: 'timeout',
};

/**
 * A model served by the official `@anthropic-ai/sdk`: streaming messages with tool_use. System messages go
 * to `system`; tool results become `tool_result` blocks of the next user turn (consecutive turns of one role
 * are merged, as the API requires alternation). The router retries, so the client's own retries are off.
 */
export function anthropicModel(options: AnthropicModelOptions): ModelClient {
  let client: Anthropic | undefined;
  return {
    id: `anthropic/${options.model}`,
    async *stream(request: ModelRequest): AsyncGenerator<ModelStreamEvent> {
      const { default: AnthropicClient, APIError, APIConnectionError, APIConnectionTimeoutError } = await loadSdk();
      client ??= new AnthropicClient({
        apiKey: options.apiKey,
        baseURL: options.baseURL,
        defaultHeaders: options.headers,
        maxRetries: 0,
        timeout: 10 * 60_000,
      });
      const names = vendorToolNames((request.tools ?? []).map((t) => t.name));
      const signal = request.signal;
      const blocks: ({ id: string; name: string; json: string } | undefined)[] = [];
      let inputTokens = 0;
      let outputTokens = 0;
      let stopReason: string | undefined;
      let stopped = false;
      try {
        const stream = await client.messages.create(toParams(request, options, names), { signal });
        for await (const event of stream) {
          switch (event.type) {
            case 'message_start': {
              const usage = event.message.usage;
              inputTokens = (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
              outputTokens = usage.output_tokens ?? 0;
              // Reported at once: if the stream breaks later, the tokens of this attempt still count.
              yield { type: 'usage', usage: { inputTokens, outputTokens } };
              break;
            }
            case 'content_block_start':
              if (event.content_block.type === 'tool_use') blocks[event.index] = { id: event.content_block.id, name: event.content_block.name, json: '' };
              else if (event.content_block.type === 'text' && event.content_block.text) yield { type: 'text', text: event.content_block.text };
              break;
            case 'content_block_delta':
              if (event.delta.type === 'text_delta') yield { type: 'text', text: event.delta.text };
              else if (event.delta.type === 'input_json_delta') {
                const block = blocks[event.index];
                if (block) block.json += event.delta.partial_json;
              }
              break;
            case 'message_delta':
              if (event.delta.stop_reason) stopReason = event.delta.stop_reason;
              // Cumulative counts: the last message_delta has the totals.
              if (event.usage.output_tokens != null) outputTokens = event.usage.output_tokens;
              if (event.usage.input_tokens != null) inputTokens = event.usage.input_tokens + (event.usage.cache_creation_input_tokens ?? 0) + (event.usage.cache_read_input_tokens ?? 0);
              yield { type: 'usage', usage: { inputTokens, outputTokens } };
              break;
            case 'message_stop':
              stopped = true;
              break;
          }
        }
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof APIConnectionTimeoutError) throw new ModelCallError('timeout', 'no answer from Anthropic in time', { cause: error });
        if (error instanceof APIConnectionError) throw new ModelCallError('connection', `could not reach ${hostOf(options.baseURL)}: ${causeOf(error)}`, { cause: error });
        if (error instanceof APIError) {
          const body = error.error as { error?: { type?: string; message?: string } } | undefined;
          const message = cutAtCodePoint((body?.error?.message ?? error.message).replace(/\s+/g, ' '), 300);
          if (error.status !== undefined && error.status !== null) {
            throw ModelCallError.fromStatus(error.status, message, { retryAfterMs: parseRetryAfter(error.headers as Headers | undefined), cause: error });
          }
          const kind = STREAM_ERROR_KINDS[body?.error?.type ?? ''] ?? 'rejected';
          throw new ModelCallError(kind, `${body?.error?.type ?? 'error'} in the stream: ${message}`, { cause: error });
        }
        throw new ModelCallError('connection', `the stream broke off: ${causeOf(error)}`, { cause: error });
      }
      if (signal?.aborted) throw signal.reason;
      if (!stopped) throw new ModelCallError('connection', 'the stream ended before message_stop');
      for (const block of blocks) {
        if (!block) continue;
        yield { type: 'tool_call', call: { callId: block.id, name: names.fromVendor(block.name), args: parseInput(block.json) } };
      }
      yield { type: 'finish', reason: finishReason(stopReason) };
    },
  };
}

function toParams(request: ModelRequest, options: AnthropicModelOptions, names: VendorToolNames): CreateParams {
  const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
  const params: CreateParams = {
    model: options.model,
    max_tokens: request.maxOutputTokens ?? options.maxOutputTokens,
    messages: toMessages(request.messages, names),
    stream: true,
  };
  if (system) params.system = system;
  if (request.tools?.length) {
    params.tools = request.tools.map((tool) => ({
      name: names.toVendor(tool.name),
      description: tool.description,
      input_schema: tool.inputSchema as Anthropic.Messages.Tool.InputSchema,
    }));
  }
  // This API version has no sampling temperature: `temperature` of an agent is not sent.
  return params;
}

/** Turns alternate user/assistant; tool results are user content; consecutive turns of a role are merged. */
function toMessages(messages: readonly ChatMessage[], names: VendorToolNames): MessageParam[] {
  const out: { role: 'user' | 'assistant'; content: ContentBlockParam[] }[] = [];
  const push = (role: 'user' | 'assistant', blocks: ContentBlockParam[]) => {
    if (!blocks.length) return;
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const message of messages) {
    if (message.role === 'system') continue;
    if (message.role === 'user') push('user', [{ type: 'text', text: message.content }]);
    else if (message.role === 'tool') {
      push('user', [{ type: 'tool_result', tool_use_id: message.callId, content: message.content, ...(message.isError && { is_error: true }) }]);
    } else {
      const blocks: ContentBlockParam[] = message.content ? [{ type: 'text', text: message.content }] : [];
      for (const call of message.toolCalls ?? []) blocks.push({ type: 'tool_use', id: call.callId, name: names.toVendor(call.name), input: (call.args ?? {}) as Record<string, unknown> });
      push('assistant', blocks.length ? blocks : [{ type: 'text', text: '(no answer)' }]);
    }
  }
  return out;
}

function parseInput(json: string): unknown {
  if (!json.trim()) return {};
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}

function finishReason(reason: string | undefined): FinishReason {
  if (reason === 'tool_use') return 'tool_calls';
  if (reason === 'max_tokens') return 'length';
  if (reason === 'refusal') return 'content_filter';
  return 'stop';
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { message?: string; code?: string } })?.cause;
  return cause?.code ?? cause?.message ?? describeThrown(error);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
