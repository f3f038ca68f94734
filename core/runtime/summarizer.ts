import { createExtensionPoint } from '../extension-point.js';
import type { ChatMessage } from '../ports/model.js';
import { cutAtCodePoint } from '../util/code-points.js';
import { extractiveSummary, isSummary, summaryBody } from './history.js';

/** What a history summariser is given: the messages compaction removes, and the agent's model to write with. */
export interface SummaryRequest {
  readonly orgId: string;
  readonly sessionId: string;
  readonly runId: string;
  /** The agent whose history it is. */
  readonly agent: string;
  /** The removed messages, oldest first; an earlier summary, when there is one, comes first. */
  readonly messages: readonly ChatMessage[];
  /** Aborts with the run. */
  readonly signal: AbortSignal;
  /** Asks the agent's model (its fallback chain, with retries) for a completion; the tokens count toward the run. */
  complete(messages: readonly ChatMessage[], options?: { readonly maxOutputTokens?: number }): Promise<string>;
}

/**
 * Writes the summary that replaces older messages of a session when a `summarize` memory policy compacts it.
 * Contribute one to `summarizers`; with `runtime.summarizer: auto` (the default) the first contributed one is
 * used, or name one in `runtime.summarizer`. A summariser that throws falls back to the extractive summary.
 *
 * @example
 * ```ts
 * const bullets: HistorySummarizer = {
 *   name: 'bullets',
 *   async summarize({ messages }) {
 *     return messages.filter((m) => m.role === 'user').map((m) => `- asked: ${cutAtCodePoint(m.content, 80)}`).join('\n');
 *   },
 * };
 * definePlugin({ id: 'bullet-memory', version: '1.0.0', contributes: [contribution(summarizers, bullets)] });
 * ```
 */
export interface HistorySummarizer {
  readonly name: string;
  readonly description?: string;
  /** The summary's text; the runtime adds the header that marks it as a summary. */
  summarize(request: SummaryRequest): Promise<string>;
}

/** History summarisers contributed by plugins (read by the runtime when it starts). */
export const summarizers = createExtensionPoint<HistorySummarizer>({ id: 'core.summarizers', description: 'Writers of the summaries that replace older session history' });

/** The deterministic summary: a line per removed message (no model call, no cost). */
export const extractiveSummarizer: HistorySummarizer = {
  name: 'extractive',
  description: 'A line per removed user and assistant message; deterministic, no model call',
  summarize: async ({ messages }) => extractiveSummary(messages),
};

const INSTRUCTIONS =
  'You condense the earlier part of a conversation between a user and an assistant into notes the assistant will ' +
  'read instead of it. Keep what later turns may need: facts the user stated about themselves and their task, ' +
  'decisions, open questions, results of tool calls (figures, names, files, sources), and what the assistant ' +
  'promised to do. Drop greetings and repetition. Write at most 12 short bullet points, in the conversation\'s ' +
  'language, without a preamble.';
const MESSAGE_CHARS = 1_500;
const TRANSCRIPT_CHARS = 40_000;

/** The agent's own model writes the summary, folding an earlier summary in. */
export const modelSummarizer: HistorySummarizer = {
  name: 'model',
  description: 'The agent\'s model writes the summary (one extra model call per compaction)',
  async summarize(request) {
    const text = await request.complete(summaryPrompt(request.messages), { maxOutputTokens: 600 });
    if (!text.trim()) throw new Error('the model returned an empty summary');
    return text;
  },
};

/** The request a model summariser sends: instructions, then the transcript of the removed messages. */
export function summaryPrompt(messages: readonly ChatMessage[]): ChatMessage[] {
  const parts: string[] = [];
  for (const message of messages) {
    if (isSummary(message)) parts.push(`Notes from before:\n${summaryBody(message)}`);
    else parts.push(transcriptLine(message));
  }
  // Keep the earlier notes and the most recent messages when the transcript is too long.
  let transcript = parts.filter(Boolean);
  while (transcript.join('\n\n').length > TRANSCRIPT_CHARS && transcript.length > 2) transcript = [transcript[0], ...transcript.slice(2)];
  return [
    { role: 'system', content: INSTRUCTIONS },
    { role: 'user', content: `The conversation so far:\n\n${transcript.join('\n\n')}\n\nWrite the notes.` },
  ];
}

function transcriptLine(message: ChatMessage): string {
  const cut = (text: string) => (text.length > MESSAGE_CHARS ? `${cutAtCodePoint(text, MESSAGE_CHARS)}…` : text);
  switch (message.role) {
    case 'user':
      return `User: ${cut(message.content)}`;
    case 'assistant': {
      const calls = (message.toolCalls ?? []).map((call) => `${call.name}(${cut(JSON.stringify(call.args ?? null))})`);
      const said = message.content.trim() ? cut(message.content) : '';
      return `Assistant: ${[said, calls.length ? `[called ${calls.join(', ')}]` : ''].filter(Boolean).join(' ')}`;
    }
    case 'tool':
      return `Tool ${message.name} ${message.isError ? 'failed' : 'returned'}: ${cut(message.content)}`;
    default:
      return message.content.trim() ? `Note: ${cut(message.content)}` : '';
  }
}
