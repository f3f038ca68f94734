import type { MemoryPolicy } from '../ports/agent.js';
import type { ChatMessage } from '../ports/model.js';
import type { StoredMessage } from '../ports/storage.js';
import { cutAtCodePoint } from '../util/code-points.js';

/** What compaction decided: the history to keep, and what replaces the removed prefix in storage. */
export interface Compaction {
  readonly strategy: 'truncate' | 'summarize';
  /** Position of the last removed message (the replacement takes the place of every message up to it). */
  readonly throughPosition: number;
  readonly removedMessages: number;
  /** The removed messages, oldest first (an earlier summary among them), for a summariser. */
  readonly removed: readonly ChatMessage[];
  /** What the removed prefix becomes: nothing (truncate) or one summary message. */
  readonly replacement: readonly ChatMessage[];
  /** The history the model sees: replacement + kept messages. */
  readonly history: readonly ChatMessage[];
}

const SUMMARY_PREFIX = 'Summary of the earlier conversation';
const SUMMARY_LINE_CHARS = 160;
const SUMMARY_MAX_CHARS = 2_000;

/** A rough token count (4 characters per token), good enough to keep a history under a budget. */
export function estimateTokens(message: ChatMessage): number {
  let chars = message.content.length;
  if (message.role === 'assistant' && message.toolCalls) for (const call of message.toolCalls) chars += call.name.length + JSON.stringify(call.args ?? null).length;
  return Math.ceil(chars / 4) + 4;
}

/**
 * Applies a memory policy to a session's stored history. Cuts only where a user message starts a turn, so a
 * tool call is never separated from its result. Returns undefined when the history already fits.
 * "summarize" here is extractive (the first words of each removed message); compactSession (compaction.ts) lets
 * the agent's model or a contributed summariser write the summary instead.
 */
export function compactHistory(stored: readonly StoredMessage[], policy: MemoryPolicy | undefined): Compaction | undefined {
  if (!policy || (policy.maxMessages === undefined && policy.maxTokens === undefined) || stored.length === 0) return undefined;
  let cut = 0;
  if (policy.maxMessages !== undefined && stored.length > policy.maxMessages) cut = stored.length - policy.maxMessages;
  if (policy.maxTokens !== undefined) {
    let tokens = 0;
    for (let i = stored.length - 1; i >= cut; i--) {
      tokens += estimateTokens(stored[i].message);
      if (tokens > policy.maxTokens) {
        cut = i + 1;
        break;
      }
    }
  }
  while (cut < stored.length && stored[cut].message.role !== 'user') cut++;
  // A previous summary at the head is history too; when nothing else is cut, keep it as it is.
  if (cut === 0 || (cut === 1 && isSummary(stored[0].message))) return undefined;
  const strategy = policy.strategy ?? 'truncate';
  const removed = stored.slice(0, cut).map((m) => m.message);
  const replacement: ChatMessage[] = strategy === 'summarize' ? [{ role: 'system', content: summarize(removed) }] : [];
  return {
    strategy,
    throughPosition: stored[cut - 1].position,
    removedMessages: removed.length,
    removed,
    replacement,
    history: [...replacement, ...stored.slice(cut).map((m) => m.message)],
  };
}

/** Whether a message is a summary that compaction wrote (it starts the history of a compacted session). */
export function isSummary(message: ChatMessage): boolean {
  return message.role === 'system' && message.content.startsWith(SUMMARY_PREFIX);
}

/** The summary message of `count` removed messages, from a summary body (what a summariser wrote). */
export function summaryMessage(body: string, count: number, how: 'condensed' | 'summarised'): ChatMessage {
  return { role: 'system', content: `${SUMMARY_PREFIX} (${count} messages, ${how}):\n${body.trim()}` };
}

/** The body of a previous summary message (without its first line). */
export function summaryBody(message: ChatMessage): string {
  return message.content.split('\n').slice(1).join('\n');
}

function summarize(messages: readonly ChatMessage[]): string {
  return summaryMessage(extractiveSummary(messages), messages.length, 'condensed').content;
}

/**
 * The deterministic summary: a line per removed user or assistant message (its first 160 characters), an earlier
 * summary's lines kept first, the most recent lines kept when it grows past 2,000 characters.
 */
export function extractiveSummary(messages: readonly ChatMessage[]): string {
  const lines: string[] = [];
  for (const message of messages) {
    if (isSummary(message)) {
      lines.push(...message.content.split('\n').slice(1));
      continue;
    }
    if (message.role === 'tool' || message.role === 'system' || !message.content.trim()) continue;
    const text = message.content.replace(/\s+/g, ' ').trim();
    lines.push(`- ${message.role}: ${text.length > SUMMARY_LINE_CHARS ? `${cutAtCodePoint(text, SUMMARY_LINE_CHARS - 1)}…` : text}`);
  }
  let body = lines.join('\n');
  // Keep the most recent lines when the summary itself grows too long.
  while (body.length > SUMMARY_MAX_CHARS && lines.length > 1) {
    lines.shift();
    body = lines.join('\n');
  }
  return body;
}
