import type { ChatMessage, Citation, ModelClient, ModelRequest, ModelStreamEvent, ToolCallRequest } from '../../core/index.js';
import { composeAnswer, type ToolReply } from './answers.js';
import {
  asksCapabilities,
  asksName,
  asksPrevious,
  findDateDifference,
  findExpression,
  findListRequest,
  findReadRequest,
  findTimeQuestion,
  findUrl,
  findWriteRequest,
  isGreeting,
  isThanks,
  keywords,
  statedName,
} from './intents.js';

/** What the offline model decided to say or do for one request. */
export interface OfflinePlan {
  readonly text?: string;
  readonly toolCalls?: readonly { readonly name: string; readonly args: unknown }[];
  readonly citations?: readonly Citation[];
}

export interface OfflineOptions {
  /** Words per streamed delta. */
  readonly chunkWords: number;
  /** Pause between deltas, to watch streaming in a demo. */
  readonly delayMs: number;
}

export const OFFLINE_MODEL_ID = 'offline/rules-v1';

/**
 * The offline model: deterministic rules, no network, no weights. It is not a language model. It reads the
 * last user message and the tools it is offered, calls the one tool a pattern points to (calculator, time,
 * filesystem, http.fetch, vector.search, a sub-agent), and answers from the result.
 */
export function offlineModel(options: OfflineOptions): ModelClient {
  return {
    id: OFFLINE_MODEL_ID,
    stream: (request) => streamPlan(decide(request), request, options),
  };
}

async function* streamPlan(plan: OfflinePlan, request: ModelRequest, options: OfflineOptions): AsyncGenerator<ModelStreamEvent> {
  const input = request.messages.reduce((n, m) => n + m.content.length, 0) + JSON.stringify(request.tools?.map((t) => t.name) ?? []).length;
  let output = 0;
  if (plan.text) {
    const words = plan.text.split(/(?<=\s)/);
    for (let i = 0; i < words.length; i += options.chunkWords) {
      if (options.delayMs > 0) await pause(options.delayMs, request.signal);
      const text = words.slice(i, i + options.chunkWords).join('');
      output += text.length;
      yield { type: 'text', text };
    }
  }
  let n = 0;
  for (const call of plan.toolCalls ?? []) {
    n++;
    output += call.name.length + JSON.stringify(call.args).length;
    yield { type: 'tool_call', call: { callId: `offline_${request.messages.length}_${n}`, name: call.name, args: call.args } };
  }
  if (plan.citations?.length) yield { type: 'citations', citations: plan.citations };
  yield { type: 'usage', usage: { inputTokens: Math.ceil(input / 4), outputTokens: Math.ceil(output / 4) } };
  yield { type: 'finish', reason: n ? 'tool_calls' : 'stop' };
}

/** Decides the answer to a request. Exported for tests of the rules themselves. */
export function decide(request: ModelRequest): OfflinePlan {
  const messages = request.messages;
  const offered = new Map((request.tools ?? []).map((t) => [t.name, t.description] as const));
  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === 'user') {
      lastUser = i;
      break;
    }
  }
  const question = lastUser >= 0 ? messages[lastUser].content : '';
  const replies = toolReplies(messages.slice(lastUser + 1));
  // One round of tools per question: once results are in, answer from them.
  if (replies.length) return composeAnswer(replies, question);
  return respond(question, offered, messages.slice(0, Math.max(0, lastUser)));
}

function respond(question: string, offered: ReadonlyMap<string, string>, history: readonly ChatMessage[]): OfflinePlan {
  const text = question.trim();
  if (!text) return { text: 'Ask me something: a calculation, the time, your files, or a question about your documents.' };
  if (isGreeting(text)) return { text: `Hello! ${introduction(offered)}` };
  if (isThanks(text)) return { text: "You're welcome." };
  if (asksCapabilities(text)) return { text: introduction(offered) };
  const name = statedName(text);
  if (name && text.length < 60) return { text: `Nice to meet you, ${name}. I will remember your name for the rest of this session.` };
  if (asksName(text)) {
    const known = [...history].reverse().map((m) => (m.role === 'user' ? statedName(m.content) : undefined)).find(Boolean);
    return { text: known ? `Your name is ${known}.` : "You haven't told me your name in this session yet." };
  }
  if (asksPrevious(text)) {
    const previous = [...history].reverse().find((m) => m.role === 'user');
    return { text: previous ? `Your previous message was: "${previous.content}"` : 'This is the first message of our session.' };
  }

  const delegation = [...offered.keys()].filter((tool) => tool.startsWith('agent.'));
  if (delegation.length) return { toolCalls: [{ name: chooseDelegate(text, delegation, offered), args: { task: text } }] };

  const direct = directTool(text, offered);
  if (direct) return { toolCalls: [direct] };
  if (offered.has('vector.search')) return { toolCalls: [{ name: 'vector.search', args: { query: text } }] };
  return { text: cannotHelp(text, offered) };
}

/** The tool a pattern in the text points to, when the agent is offered it. */
function directTool(text: string, offered: ReadonlyMap<string, string>): { name: string; args: unknown } | undefined {
  const url = findUrl(text);
  if (url && offered.has('http.fetch')) return { name: 'http.fetch', args: url };
  const write = findWriteRequest(text);
  if (write && offered.has('filesystem.write')) return { name: 'filesystem.write', args: write };
  const read = findReadRequest(text);
  if (read && offered.has('filesystem.read')) return { name: 'filesystem.read', args: read };
  const list = findListRequest(text);
  if (list && offered.has('filesystem.list')) return { name: 'filesystem.list', args: list };
  const difference = findDateDifference(text);
  if (difference && offered.has('time.diff')) return { name: 'time.diff', args: difference };
  const time = findTimeQuestion(text);
  if (time && offered.has('time.now')) return { name: 'time.now', args: time };
  const expression = findExpression(text);
  if (expression && offered.has('calculator')) return { name: 'calculator', args: { expression } };
  return undefined;
}

/** The sub-agent whose name and description share most with the request (ties: the first offered). */
function chooseDelegate(text: string, delegates: readonly string[], offered: ReadonlyMap<string, string>): string {
  const words = new Set(keywords(text));
  const hints: [RegExp | undefined, RegExp][] = [
    [findExpression(text) ? /./ : undefined, /\b(math|calcul|arithmetic|number|analy)/i],
    [findTimeQuestion(text) || findDateDifference(text) ? /./ : undefined, /\b(time|date|clock|calendar)/i],
    [findReadRequest(text) || findListRequest(text) || findWriteRequest(text) ? /./ : undefined, /\b(file|workspace|folder)/i],
    [findUrl(text) ? /./ : undefined, /\b(web|http|fetch|url|page)/i],
  ];
  let best = delegates[0];
  let bestScore = -1;
  for (const tool of delegates) {
    const description = offered.get(tool) ?? '';
    const own = new Set(keywords(`${tool.replace(/[._]/g, ' ')} ${description}`));
    let score = [...words].filter((w) => own.has(w)).length;
    for (const [applies, mentions] of hints) if (applies && mentions.test(`${tool} ${description}`)) score += 5;
    if (score > bestScore) {
      best = tool;
      bestScore = score;
    }
  }
  return best;
}

function toolReplies(turn: readonly ChatMessage[]): ToolReply[] {
  const calls = new Map<string, ToolCallRequest>();
  const replies: ToolReply[] = [];
  for (const message of turn) {
    if (message.role === 'assistant') for (const call of message.toolCalls ?? []) calls.set(call.callId, call);
    if (message.role === 'tool') {
      const call = calls.get(message.callId) ?? { callId: message.callId, name: message.name, args: {} };
      let value: unknown;
      try {
        value = JSON.parse(message.content);
      } catch {
        value = message.content;
      }
      replies.push({ call, ok: !message.isError, value });
    }
  }
  return replies;
}

function capabilities(offered: ReadonlyMap<string, string>): string[] {
  const can: string[] = [];
  const has = (prefix: string) => [...offered.keys()].some((t) => t === prefix || t.startsWith(`${prefix}.`));
  if (offered.has('calculator')) can.push('do arithmetic with the calculator ("What is 17 * 23?")');
  if (has('time')) can.push('tell the time ("What time is it in Tokyo?")');
  if (has('filesystem')) can.push('list and read files in your workspace ("List the files", "Read notes.txt")');
  if (offered.has('http.fetch')) can.push('fetch a web page from an allowed host');
  if (offered.has('vector.search')) can.push('answer from your documents, with citations');
  const agents = [...offered.keys()].filter((t) => t.startsWith('agent.')).map((t) => t.slice('agent.'.length));
  if (agents.length) can.push(`hand tasks to my sub-agents (${agents.join(', ')})`);
  return can;
}

function introduction(offered: ReadonlyMap<string, string>): string {
  const can = capabilities(offered);
  const intro = "I'm agent-sdk's offline model: a small set of rules that runs without an API key. I am not a language model.";
  return can.length ? `${intro} Here I can ${can.join('; ')}.` : `${intro} This agent has no tools, so I can only greet and answer simple questions about this session.`;
}

function cannotHelp(text: string, offered: ReadonlyMap<string, string>): string {
  const expression = findExpression(text);
  if (expression) return `That looks like arithmetic (${expression}), but this agent has no calculator tool. Try the assistant_tools preset.`;
  if (findTimeQuestion(text)) return 'I cannot tell the time without the time tool. Try the assistant_tools preset.';
  return `${introduction(offered)} For open-ended questions, configure a real model under \`models:\` (see docs/models.md).`;
}

/**
 * Waits `ms`, or rejects when `signal` aborts first. The abort listener is removed when the timer fires:
 * one pause runs per delta, and listeners left on a long answer's signal trip MaxListenersExceededWarning.
 */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => (clearTimeout(timer), reject(signal!.reason));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
