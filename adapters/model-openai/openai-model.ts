import type OpenAI from 'openai';
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

export interface OpenAIModelOptions {
  readonly model: string;
  readonly apiKey: string;
  readonly baseURL?: string;
  readonly organization?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly temperature?: number;
  readonly maxOutputTokens?: number;
  /** `max_completion_tokens` (OpenAI) or `max_tokens` (older OpenAI-compatible servers). */
  readonly maxTokensParam: 'max_completion_tokens' | 'max_tokens';
  /** Ask for usage in the last chunk (`stream_options.include_usage`); some compatible servers refuse it. */
  readonly streamUsage: boolean;
}

type ChatParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming;
type ChatMessageParam = OpenAI.Chat.Completions.ChatCompletionMessageParam;

// The SDK is loaded on first use, so a kernel that never calls OpenAI does not pay for loading it.
let sdk: Promise<typeof import('openai')> | undefined;
const loadSdk = () => (sdk ??= import('openai'));

/**
 * A model served by the official `openai` client: streaming chat completions with tool calls, against
 * OpenAI or any compatible server (`baseURL`: Ollama, vLLM, LM Studio, OpenRouter). The router retries, so
 * the client's own retries are off. Dotted tool names are mapped to names the API accepts and back.
 */
export function openaiModel(options: OpenAIModelOptions): ModelClient {
  let client: OpenAI | undefined;
  const host = options.baseURL ? safeHost(options.baseURL) : undefined;
  return {
    id: `openai/${options.model}`,
    async *stream(request: ModelRequest): AsyncGenerator<ModelStreamEvent> {
      const { default: OpenAIClient, APIError, APIConnectionError, APIConnectionTimeoutError } = await loadSdk();
      client ??= new OpenAIClient({
        apiKey: options.apiKey,
        baseURL: options.baseURL,
        organization: options.organization,
        defaultHeaders: options.headers,
        maxRetries: 0,
        timeout: 10 * 60_000,
      });
      const names = vendorToolNames((request.tools ?? []).map((t) => t.name));
      const params = toParams(request, options, names);
      const signal = request.signal;
      const calls: { id: string; name: string; args: string }[] = [];
      let finish: string | undefined;
      try {
        const stream = await client.chat.completions.create(params, { signal });
        for await (const chunk of stream) {
          if (chunk.usage) yield { type: 'usage', usage: { inputTokens: chunk.usage.prompt_tokens ?? 0, outputTokens: chunk.usage.completion_tokens ?? 0 } };
          const choice = chunk.choices?.[0];
          if (!choice) continue;
          const delta = choice.delta ?? {};
          if (delta.content) yield { type: 'text', text: delta.content };
          for (const part of delta.tool_calls ?? []) {
            const call = (calls[part.index ?? 0] ??= { id: '', name: '', args: '' });
            if (part.id) call.id = part.id;
            const name = part.function?.name;
            // OpenAI sends the name once; some compatible servers repeat it in every chunk.
            if (name) call.name = !call.name || call.name === name ? name : call.name + name;
            if (part.function?.arguments) call.args += part.function.arguments;
          }
          if (choice.finish_reason) finish = choice.finish_reason;
        }
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof APIConnectionTimeoutError) throw new ModelCallError('timeout', `no answer from ${host ?? 'OpenAI'} in time`, { cause: error });
        if (error instanceof APIConnectionError) throw new ModelCallError('connection', `could not reach ${host ?? 'OpenAI'}: ${causeOf(error)}`, { cause: error });
        if (error instanceof APIError) {
          const message = apiMessage(error);
          if (error.status !== undefined) throw ModelCallError.fromStatus(error.status, message, { retryAfterMs: parseRetryAfter(error.headers as Headers | undefined), cause: error });
          throw new ModelCallError('server', `error in the stream: ${message}`, { cause: error });
        }
        // The body broke off mid-stream (undici: "terminated"), or a chunk was cut: a dropped connection.
        throw new ModelCallError('connection', `the stream broke off: ${causeOf(error)}`, { cause: error });
      }
      // The SDK ends the iteration quietly when aborted; the run must see the abort.
      if (signal?.aborted) throw signal.reason;
      if (finish === undefined) throw new ModelCallError('connection', 'the stream ended before the answer was complete');
      for (const call of calls) {
        if (!call) continue;
        yield { type: 'tool_call', call: { callId: call.id, name: names.fromVendor(call.name), args: parseArguments(call.args) } };
      }
      yield { type: 'finish', reason: finishReason(finish) };
    },
  };
}

function toParams(request: ModelRequest, options: OpenAIModelOptions, names: VendorToolNames): ChatParams {
  const params: ChatParams = {
    model: options.model,
    messages: request.messages.map((message) => toMessage(message, names)),
    stream: true,
  };
  if (options.streamUsage) params.stream_options = { include_usage: true };
  if (request.tools?.length) {
    params.tools = request.tools.map((tool) => ({
      type: 'function',
      function: { name: names.toVendor(tool.name), description: tool.description, parameters: tool.inputSchema as Record<string, unknown> },
    }));
  }
  const temperature = request.temperature ?? options.temperature;
  if (temperature !== undefined) params.temperature = temperature;
  const maxTokens = request.maxOutputTokens ?? options.maxOutputTokens;
  if (maxTokens !== undefined) params[options.maxTokensParam] = maxTokens;
  return params;
}

function toMessage(message: ChatMessage, names: VendorToolNames): ChatMessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: message.content };
    case 'assistant':
      if (!message.toolCalls?.length) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        content: message.content || null,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.callId,
          type: 'function',
          function: { name: names.toVendor(call.name), arguments: JSON.stringify(call.args ?? {}) },
        })),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: message.callId, content: message.content };
  }
}

/** The arguments as JSON; when they do not parse, the text itself (the registry then tells the model). */
function parseArguments(text: string): unknown {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function finishReason(reason: string): FinishReason {
  if (reason === 'tool_calls' || reason === 'function_call') return 'tool_calls';
  if (reason === 'length') return 'length';
  if (reason === 'content_filter') return 'content_filter';
  return 'stop';
}

function apiMessage(error: { message: string; error?: unknown }): string {
  const body = error.error as { message?: string } | undefined;
  return cutAtCodePoint((body?.message ?? error.message).replace(/\s+/g, ' '), 300);
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { message?: string; code?: string } })?.cause;
  return cause?.code ?? cause?.message ?? describeThrown(error);
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
