import { cutAtCodePoint, quoteOf, type Citation, type ToolCallRequest } from '../../core/index.js';
import { keywords } from './intents.js';

/** A tool's answer as the offline model reads it back from the conversation. */
export interface ToolReply {
  readonly call: ToolCallRequest;
  readonly ok: boolean;
  readonly value: any;
}

export interface Composed {
  readonly text: string;
  readonly citations?: Citation[];
}

const MAX_FILE_CHARS = 4_000;
const MAX_PAGE_CHARS = 1_500;

/** The final answer from the tool results of this turn, one paragraph per call. */
export function composeAnswer(replies: readonly ToolReply[], question: string): Composed {
  const paragraphs: string[] = [];
  const citations: Citation[] = [];
  for (const reply of replies) {
    if (!reply.ok) {
      const error = reply.value?.error ?? {};
      paragraphs.push(`The ${reply.call.name} tool could not do it (${error.code ?? 'error'}): ${error.message ?? 'no details'}`);
      continue;
    }
    const composed = describeResult(reply, question, citations.length);
    paragraphs.push(composed.text);
    if (composed.citations) citations.push(...composed.citations);
  }
  const text = paragraphs.join('\n\n') || 'The tools returned nothing.';
  return citations.length ? { text, citations } : { text };
}

function describeResult(reply: ToolReply, question: string, citedSoFar: number): Composed {
  const { call, value } = reply;
  const name = call.name;
  if (name === 'calculator' && typeof value?.result === 'number') return { text: `${value.expression ?? (call.args as { expression?: string })?.expression} = ${value.result}` };
  if ((name === 'time.now' || name === 'time.convert') && typeof value?.iso === 'string') {
    const [date, time] = value.iso.split('T');
    const clock = time?.slice(0, 5);
    const prefix = name === 'time.convert' ? 'That is' : 'It is';
    return { text: `${prefix} ${clock} on ${value.weekday}, ${date} in ${value.timeZone} (UTC${value.offset}).` };
  }
  if (name === 'time.diff' && typeof value?.human === 'string') {
    return { text: `From ${value.from} to ${value.to}: ${value.human} (${value.value} ${value.unit}, ${value.direction}).` };
  }
  if (name === 'filesystem.list' && Array.isArray(value?.entries)) {
    if (value.entries.length === 0) return { text: `The folder "${value.path}" is empty.` };
    const lines = value.entries.map((e: { name: string; type: string; size?: number }) => `- ${e.name}${e.type === 'directory' ? '/' : ''}${e.size !== undefined && e.type === 'file' ? ` (${e.size} bytes)` : ''}`);
    const more = value.truncated ? '\n(more entries not shown)' : '';
    return { text: `The folder "${value.path}" contains ${value.entries.length} entr${value.entries.length === 1 ? 'y' : 'ies'}:\n${lines.join('\n')}${more}` };
  }
  if (name === 'filesystem.read' && typeof value?.content === 'string') {
    const cut = value.content.length > MAX_FILE_CHARS;
    const more = cut || value.eof === false ? '\n…(the file continues)' : '';
    return { text: `Here is ${value.path}:\n\n${cut ? cutAtCodePoint(value.content, MAX_FILE_CHARS) : value.content}${more}` };
  }
  if (name === 'filesystem.write' && typeof value?.bytes === 'number') {
    return { text: `${value.created ? 'Created' : 'Wrote'} ${value.path} (${value.bytes} bytes written, ${value.size} bytes now).` };
  }
  if (name === 'http.fetch' && typeof value?.text === 'string') {
    const title = value.title ? `"${value.title}" ` : '';
    const body = value.text.length > MAX_PAGE_CHARS ? `${cutAtCodePoint(value.text, MAX_PAGE_CHARS)}…` : value.text;
    return { text: `I fetched ${title}${value.url} (HTTP ${value.status}):\n\n${body}` };
  }
  if (Array.isArray(value?.hits)) return answerFromPassages(value.hits, question, citedSoFar);
  if (name.startsWith('agent.') && typeof value?.output === 'string') {
    return { text: `The ${name.slice('agent.'.length)} agent answered:\n\n${value.output}` };
  }
  const json = JSON.stringify(value);
  return { text: `The ${name} tool returned: ${json.length > 800 ? `${cutAtCodePoint(json, 800)}…` : json}` };
}

interface Hit {
  chunkId: string;
  source: string;
  text: string;
  score?: number;
}

/**
 * An extractive answer: from the best passages, the sentence that best matches the question, quoted and cited.
 * Words are compared without plural and verb endings and weighted by how rare they are among the retrieved
 * sentences (a word every sentence has decides nothing); a heading lends half the weight of its matching words
 * to the sentences under it. A passage is cited only when its sentence scores at least 60% of the best one, so
 * a weak third hit does not dilute the answer. Nothing is made up; with no passages it says so.
 */
export function answerFromPassages(hits: readonly Hit[], question: string, citedSoFar = 0): Composed {
  if (hits.length === 0) return { text: 'I found nothing about that in the knowledge base.' };
  const terms = new Set(keywords(question).map(stem));
  const passages = hits.slice(0, 3).map((hit) => ({
    hit,
    lines: hit.text.split(/(?<=[.!?])\s+|\n+/).map((s) => s.trim()).filter(Boolean).map((text) => ({ text, heading: isHeading(text), words: new Set(keywords(text).map(stem)) })),
  }));
  const all = passages.flatMap((p) => p.lines);
  const weight = new Map([...terms].map((t) => [t, Math.log(1 + all.length / (1 + all.filter((l) => l.words.has(t)).length))]));
  const picked: { hit: Hit; sentence: string; score: number }[] = [];
  for (const { hit, lines } of passages) {
    let best = { sentence: lines.find((l) => !l.heading)?.text ?? lines[0]?.text ?? hit.text, score: 0 };
    let context = new Set<string>();
    for (const line of lines) {
      if (line.heading) {
        context = line.words;
        continue;
      }
      let score = 0;
      for (const t of terms) score += line.words.has(t) ? weight.get(t)! : context.has(t) ? weight.get(t)! / 2 : 0;
      if (score > best.score) best = { sentence: line.text, score };
    }
    picked.push({ hit, ...best });
  }
  const top = Math.max(...picked.map((p) => p.score));
  // A passage answers only when its sentence covers enough of the question's weight (one shared common word does not).
  const total = [...weight.values()].reduce((a, b) => a + b, 0);
  const relevant = top > 0 && top >= total * 0.3 ? picked.filter((p) => p.score > 0 && p.score >= top * 0.6) : [];
  const used = relevant.length ? relevant : [picked.reduce((a, b) => (b.score > a.score ? b : a))];
  const citations: Citation[] = used.map((p) => ({ source: p.hit.source, chunkId: p.hit.chunkId, quote: quoteOf(p.sentence) }));
  const lines = used.map((p, i) => `- "${quoteOf(p.sentence)}" [${citedSoFar + i + 1}] (${p.hit.source})`);
  const intro = relevant.length ? 'From the knowledge base:' : 'I found no passage that answers this directly; the closest is:';
  return { text: `${intro}\n${lines.join('\n')}`, citations };
}

/** A section path (`Shipping › Costs`) or a short line without sentence punctuation. */
function isHeading(line: string): boolean {
  return line.includes(' › ') || (!/[.!?:;]$/.test(line) && line.split(/\s+/).length <= 6);
}

/** Plural and verb endings off, so "costs" meets "cost", "refunded" "refund" and "knives" "knife". */
function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ives')) return `${word.slice(0, -3)}fe`;
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('es') && /(ss|sh|ch|x)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}
