import { sdkError } from '../errors/agent-sdk-error.js';
import type { ContributedItem } from '../plugin.js';
import type { MemoryPolicy } from '../ports/agent.js';
import type { Logger } from '../ports/logger.js';
import type { ChatMessage, ModelInfo, RoutedModelEvent, TokenUsage } from '../ports/model.js';
import type { StoredMessage } from '../ports/storage.js';
import { cutAtCodePoint } from '../util/code-points.js';
import { compactHistory, summaryMessage, type Compaction } from './history.js';
import type { Interrupt } from './interrupt.js';
import type { RuntimeServices } from './runtime-services.js';
import { extractiveSummarizer, modelSummarizer, type HistorySummarizer, type SummaryRequest } from './summarizer.js';

/** A compaction, with the summariser that wrote its summary (for `summarize` policies). */
export interface SessionCompaction extends Compaction {
  readonly summarizer?: string;
}

const SUMMARY_MAX_CHARS = 4_000;

/**
 * Applies a memory policy to a session's history like compactHistory, and lets `summarizer` write the summary of
 * the removed messages (a `summarize` policy). When the summariser fails, the extractive summary stands in and
 * a warning is logged: a run never fails because its history could not be summarised.
 */
export async function compactSession(
  stored: readonly StoredMessage[],
  policy: MemoryPolicy | undefined,
  context: { readonly summarizer: HistorySummarizer; readonly request: Omit<SummaryRequest, 'messages'>; readonly logger?: Logger },
): Promise<SessionCompaction | undefined> {
  const compaction = compactHistory(stored, policy);
  if (!compaction || compaction.strategy !== 'summarize') return compaction;
  const { summarizer } = context;
  if (summarizer === extractiveSummarizer) return { ...compaction, summarizer: summarizer.name };
  try {
    let body = (await summarizer.summarize({ ...context.request, messages: compaction.removed })).trim();
    if (!body) throw new Error('the summary is empty');
    if (body.length > SUMMARY_MAX_CHARS) body = `${cutAtCodePoint(body, SUMMARY_MAX_CHARS - 1)}…`;
    const replacement = [summaryMessage(body, compaction.removedMessages, 'summarised')];
    return { ...compaction, replacement, history: [...replacement, ...compaction.history.slice(compaction.replacement.length)], summarizer: summarizer.name };
  } catch (error) {
    if (context.request.signal.aborted) throw error;
    context.logger?.warn('the history summariser failed; the extractive summary is used instead', {
      summarizer: summarizer.name,
      sessionId: context.request.sessionId,
      reason: (error as Error)?.message ?? String(error),
    });
    return { ...compaction, summarizer: extractiveSummarizer.name };
  }
}

/**
 * `complete` for summarisers: a non-streamed completion from the agent's fallback chain, through the run's
 * interrupt; each attempt's tokens are reported with the model that used them (failed attempts too).
 */
export function modelCompletion(
  stream: RuntimeServices['stream'],
  chain: readonly string[],
  interrupt: Interrupt,
  onUsage: (usage: TokenUsage, model: string) => void,
): SummaryRequest['complete'] {
  return async (messages: readonly ChatMessage[], options) => {
    let text = '';
    let usage: TokenUsage | undefined;
    const settle = (model: string) => {
      if (usage) onUsage(usage, model);
      usage = undefined;
    };
    for await (const event of stream(chain, { messages: [...messages], maxOutputTokens: options?.maxOutputTokens }, interrupt) as AsyncIterable<RoutedModelEvent>) {
      if (event.type === 'text') text += event.text;
      else if (event.type === 'usage') usage = event.usage;
      else if (event.type === 'retry' || event.type === 'fallback') {
        settle(event.type === 'retry' ? event.model : event.from);
        text = '';
      } else if (event.type === 'finish') settle(event.model);
    }
    return text;
  };
}

/** Providers that do not write prose: their summaries are extractive under `auto` (a scripted step is not spent on one). */
const DETERMINISTIC_PROVIDERS = new Set(['offline', 'scripted']);

/**
 * Picks the summariser of `runtime.summarizer`: `extractive`, `model`, a contributed one by name, or `auto` — the
 * first contributed summariser if any, else the agent's model unless that is the offline (or a scripted) model,
 * which gets the extractive summary. Unknown names are refused when the runtime starts.
 */
export function summarizerChooser(setting: string, contributed: readonly ContributedItem<HistorySummarizer>[], models: () => readonly ModelInfo[]) {
  const byName = new Map<string, HistorySummarizer>([[extractiveSummarizer.name, extractiveSummarizer], [modelSummarizer.name, modelSummarizer]]);
  for (const { item } of contributed) if (!byName.has(item.name)) byName.set(item.name, item); // the built-in names stay theirs
  if (setting !== 'auto' && !byName.has(setting)) {
    throw sdkError('ASDK_RAG_SUMMARIZER_UNKNOWN', { name: setting, available: [...byName.keys()].join(', ') });
  }
  const fixed = setting === 'auto' ? contributed[0]?.item : byName.get(setting);
  return (chain: readonly string[]): HistorySummarizer => {
    if (fixed) return fixed;
    const provider = models().find((m) => m.name === chain[0])?.provider;
    return provider === undefined || DETERMINISTIC_PROVIDERS.has(provider) ? extractiveSummarizer : modelSummarizer;
  };
}
