import type { Citation } from '../events/envelope.js';
import { cutAtCodePoint } from '../util/code-points.js';

const MARKER = /\[([^\]\s]{1,200})\]/g;
const QUOTE_CHARS = 240;

/**
 * Passages a run retrieved (any tool result shaped `{ hits: [{ chunkId, source, text }] }`, such as
 * `vector.search`), so an answer that cites them as `[chunkId]` gets `citations` on `assistant.message`
 * even from a model that cannot report citations itself.
 */
export class RetrievedPassages {
  readonly #byChunk = new Map<string, { source: string; text: string }>();

  /** Remembers the hits of a tool result; anything else is ignored. */
  add(result: unknown): void {
    const hits = (result as { hits?: unknown } | null)?.hits;
    if (!Array.isArray(hits)) return;
    for (const hit of hits) {
      const { chunkId, source, text } = (hit ?? {}) as Record<string, unknown>;
      if (typeof chunkId === 'string' && typeof source === 'string' && typeof text === 'string') this.#byChunk.set(chunkId, { source, text });
    }
  }

  get size(): number {
    return this.#byChunk.size;
  }

  /** Citations for the `[chunkId]` markers in `text`, in order of first mention; undefined when none. */
  cite(text: string): Citation[] | undefined {
    const citations: Citation[] = [];
    const seen = new Set<string>();
    for (const match of text.matchAll(MARKER)) {
      const chunkId = match[1];
      const passage = this.#byChunk.get(chunkId);
      if (!passage || seen.has(chunkId)) continue;
      seen.add(chunkId);
      citations.push({ source: passage.source, chunkId, quote: quoteOf(passage.text) });
    }
    return citations.length ? citations : undefined;
  }
}

/** The start of a passage, cut at a sentence or word end. */
export function quoteOf(text: string, max = QUOTE_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const head = cutAtCodePoint(flat, max);
  const sentence = head.lastIndexOf('. ');
  if (sentence > max / 2) return head.slice(0, sentence + 1);
  const word = head.lastIndexOf(' ');
  return `${word > 0 ? head.slice(0, word) : head}…`;
}
