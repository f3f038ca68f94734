import { cutAtCodePoint } from '../../../core/index.js';
import type { Block, ParsedDocument } from './blocks.js';

export interface ChunkingOptions {
  /** Longest chunk, in characters (the heading line and the overlap included). */
  readonly maxChars: number;
  /** Characters of whole sentences repeated from the end of the previous chunk when a section is split. */
  readonly overlapChars: number;
}

/** A chunk before it is stored: its text (the section's heading path first), section, and ordinal. */
export interface DraftChunk {
  readonly position: number;
  readonly text: string;
  /** The heading path of the section it starts in: `Returns › Refunds`. */
  readonly heading?: string;
}

const SEPARATOR = ' › ';

/**
 * Chunks a document by its structure. A heading starts a new chunk, unless the chunk so far is short (under a
 * quarter of maxChars) and the whole next section fits in it: small sections are kept together. Blocks are
 * added whole while they fit; a longer block flows in sentences (lines for code, lists and tables), and a
 * sentence longer than a chunk is cut at word ends. When a section needs several chunks, each one after the first starts with the last sentences of the previous one
 * (`overlapChars`), so a fact spanning the cut is whole in one of them. Each chunk's text begins with its
 * section's heading path, which is what both the embedder and the keyword index see first.
 *
 * @example
 * ```ts
 * chunkDocument(parseMarkdown(text), { maxChars: 1000, overlapChars: 150 });
 * ```
 */
export function chunkDocument(document: ParsedDocument, options: ChunkingOptions): DraftChunk[] {
  const maxChars = Math.max(100, options.maxChars);
  const overlapChars = Math.max(0, Math.min(options.overlapChars, Math.floor(maxChars / 2)));
  const minChars = Math.floor(maxChars / 4);
  const chunks: DraftChunk[] = [];
  const path: string[] = [];
  /** The heading path the current chunk starts in, and the path of the latest heading seen. */
  let section = '';
  let latest = '';
  let body: Piece[] = [];
  let bodyChars = 0;
  /** Characters at the start of `body` that repeat the previous chunk. */
  let repeated = 0;

  const budget = () => Math.max(Math.floor(maxChars / 2), maxChars - (section ? section.length + 2 : 0));
  const cost = (piece: Piece) => (body.length ? piece.sep.length : 0) + piece.text.length;
  const push = (piece: Piece) => {
    bodyChars += cost(piece);
    body.push(piece);
  };
  const flush = () => {
    if (bodyChars > repeated) {
      const text = `${section ? `${section}\n\n` : ''}${body.map((p, i) => (i ? p.sep : '') + p.text).join('')}`;
      chunks.push({ position: chunks.length, text, ...(section && { heading: section }) });
    }
    body = [];
    bodyChars = 0;
    repeated = 0;
  };

  const blocks = document.blocks;
  // Characters of each section's own content (up to the next heading), for deciding whether it can join a short chunk.
  const sectionChars = blocks.map((block, i) => {
    if (block.kind !== 'heading') return 0;
    let n = block.text.length;
    for (let j = i + 1; j < blocks.length && blocks[j].kind !== 'heading'; j++) n += BLOCK_SEP.length + blocks[j].text.length;
    return n;
  });

  blocks.forEach((block, index) => {
    if (block.kind === 'heading') {
      path.length = Math.max(0, block.level - 1);
      for (let i = 0; i < path.length; i++) path[i] ??= '';
      path[block.level - 1] = block.text;
      latest = path.filter(Boolean).join(SEPARATOR);
      // A short chunk takes the next section along, heading as a line, when all of it fits; otherwise it ends here.
      const joins = bodyChars > 0 && bodyChars - repeated < minChars && bodyChars + BLOCK_SEP.length + sectionChars[index] <= budget();
      if (joins) push({ text: block.text, sep: BLOCK_SEP, heading: true });
      else {
        flush();
        section = latest;
      }
      return;
    }
    const code = block.kind === 'code' || block.kind === 'table';
    const within = block.kind === 'paragraph' || block.kind === 'quote' ? ' ' : '\n';
    // A block that fits goes whole; a longer one flows in sentences (lines for code, tables and lists).
    const units = block.text.length <= budget() ? [block.text] : unitsOf(block, budget());
    units.forEach((text, i) => {
      const piece: Piece = { text, sep: i === 0 ? BLOCK_SEP : within, code };
      if (body.length && bodyChars + piece.sep.length + text.length > budget()) {
        const tail = overlapChars ? overlapOf(body, overlapChars) : '';
        flush();
        section = latest;
        if (tail && tail.length + BLOCK_SEP.length + text.length <= budget()) {
          push({ text: tail, sep: BLOCK_SEP });
          repeated = tail.length;
        }
      }
      push(piece);
    });
  });
  flush();
  return chunks;
}

const BLOCK_SEP = '\n\n';

interface Piece {
  readonly text: string;
  /** What joins it to the piece before: a blank line between blocks, a space between sentences, a newline between lines. */
  readonly sep: string;
  /** A heading kept as a line (small sections merged). */
  readonly heading?: boolean;
  /** Code or a table: no sentence overlap. */
  readonly code?: boolean;
}

/** A long block's sentences (lines for code, tables and lists), none longer than `limit`. */
function unitsOf(block: Block, limit: number): string[] {
  const units = block.kind === 'code' || block.kind === 'table' || block.kind === 'list' ? block.text.split('\n') : sentences(block.text);
  return units.flatMap((u) => (u.length > limit ? byWords(u, limit) : [u]));
}

/** Sentence ends: . ! ? (optionally closed by a quote or bracket) followed by space and a capital or digit. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?]["')\]”’]?)\s+(?=["'(\[“‘]?[\p{Lu}\p{N}])|\n+/u)
    .map((s) => s.trim())
    .filter(Boolean);
}

function byWords(text: string, limit: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/)) {
    if (word.length > limit) {
      if (current) out.push(current);
      for (let i = 0; i < word.length; ) {
        const piece = cutAtCodePoint(word.slice(i), limit); // never half of a surrogate pair
        out.push(piece);
        i += piece.length || 1;
      }
      current = '';
      continue;
    }
    if (current && current.length + 1 + word.length > limit) {
      out.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) out.push(current);
  return out;
}

/** The last whole sentences of the body's prose, at most `limit` characters together (none after code or a heading). */
function overlapOf(body: readonly Piece[], limit: number): string {
  let tail = '';
  for (let i = body.length - 1; i >= 0; i--) {
    const piece = body[i];
    if (piece.code || piece.heading) break;
    const parts = sentences(piece.text);
    for (let j = parts.length - 1; j >= 0; j--) {
      const next = tail ? `${parts[j]} ${tail}` : parts[j];
      if (next.length > limit) return tail;
      tail = next;
    }
    if (piece.sep === BLOCK_SEP) break; // the start of the block: the overlap stays within one block
  }
  return tail;
}
