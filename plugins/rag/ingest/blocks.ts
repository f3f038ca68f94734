import { parse as parseYaml } from 'yaml';

/** A structural piece of a document, as the chunker sees it. */
export type Block =
  | { readonly kind: 'heading'; readonly level: number; readonly text: string }
  | { readonly kind: 'paragraph' | 'list' | 'code' | 'table' | 'quote'; readonly text: string };

/** A document reduced to its title, blocks, and metadata found inside it (Markdown front matter). */
export interface ParsedDocument {
  readonly title?: string;
  readonly blocks: readonly Block[];
  readonly metadata?: Readonly<Record<string, string | number | boolean>>;
}

const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const LIST_ITEM = /^ {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;

/**
 * Markdown (CommonMark's block structure, enough for chunking): front matter, ATX and setext headings, fenced
 * code, lists, tables, block quotes and paragraphs. Inline markup is reduced to its text (links keep their text,
 * images their alt text, emphasis and code marks go).
 */
export function parseMarkdown(source: string): ParsedDocument {
  let text = source.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  let metadata: Record<string, string | number | boolean> | undefined;
  let title: string | undefined;
  const front = /^---\n([\s\S]*?)\n(?:---|\.\.\.)[ \t]*(?:\n|$)/.exec(text);
  if (front) {
    text = text.slice(front[0].length);
    try {
      const data = parseYaml(front[1]) as unknown;
      if (data && typeof data === 'object' && !Array.isArray(data)) {
        for (const [key, value] of Object.entries(data)) {
          if (key === 'title' && typeof value === 'string') title = value.trim();
          else if (['string', 'number', 'boolean'].includes(typeof value)) (metadata ??= {})[key] = value as string | number | boolean;
        }
      }
    } catch {
      // Not YAML after all: keep it as text.
      text = source;
    }
  }
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const atx = ATX.exec(line);
    if (atx) {
      const heading = inline(atx[2] ?? '');
      if (heading) blocks.push({ kind: 'heading', level: atx[1].length, text: heading });
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1];
      const body: string[] = [];
      i++;
      while (i < lines.length && !new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}[ \\t]*$`).test(lines[i])) body.push(lines[i++]);
      i++; // the closing fence (or the end)
      const code = body.join('\n').trimEnd();
      if (code.trim()) blocks.push({ kind: 'code', text: code });
      continue;
    }
    if (RULE.test(line)) {
      i++;
      continue;
    }
    if (/^ {0,3}>/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && lines[i].trim() && /^ {0,3}>/.test(lines[i])) body.push(lines[i++].replace(/^ {0,3}> ?/, ''));
      blocks.push({ kind: 'quote', text: inline(body.join(' ')) });
      continue;
    }
    if (/^ {0,3}\|/.test(line)) {
      const rows: string[] = [];
      while (i < lines.length && /^ {0,3}\|/.test(lines[i])) {
        const row = lines[i++];
        if (/^ {0,3}\|[\s|:-]+\|?\s*$/.test(row)) continue; // the separator row
        rows.push(row.trim().replace(/^\||\|$/g, '').split('|').map((cell) => inline(cell)).join(' | '));
      }
      if (rows.length) blocks.push({ kind: 'table', text: rows.join('\n') });
      continue;
    }
    if (LIST_ITEM.test(line)) {
      const items: string[] = [];
      while (i < lines.length && (LIST_ITEM.test(lines[i]) || (lines[i].trim() && /^\s{2,}\S/.test(lines[i])) || (!lines[i].trim() && LIST_ITEM.test(lines[i + 1] ?? '')))) {
        const current = lines[i++];
        if (!current.trim()) continue;
        if (LIST_ITEM.test(current)) items.push(inline(current.replace(LIST_ITEM, '')));
        else if (items.length) items[items.length - 1] += ` ${inline(current)}`;
      }
      blocks.push({ kind: 'list', text: items.map((item) => `- ${item}`).join('\n') });
      continue;
    }
    // A paragraph runs to a blank line or to the start of another block; a setext underline makes it a heading.
    const body: string[] = [];
    while (i < lines.length && lines[i].trim() && !ATX.test(lines[i]) && !FENCE.test(lines[i]) && !/^ {0,3}[>|]/.test(lines[i]) && !(body.length && LIST_ITEM.test(lines[i]))) {
      const underline = SETEXT.exec(lines[i]);
      if (underline && body.length) {
        blocks.push({ kind: 'heading', level: underline[1][0] === '=' ? 1 : 2, text: inline(body.join(' ')) });
        body.length = 0;
        i++;
        break;
      }
      if (RULE.test(lines[i]) && !body.length) break;
      body.push(lines[i++].trim());
    }
    if (body.length) blocks.push({ kind: 'paragraph', text: inline(body.join(' ')) });
    else if (i < lines.length && RULE.test(lines[i])) i++;
  }
  title ??= blocks.find((b) => b.kind === 'heading' && b.level === 1)?.text;
  return { ...(title && { title }), blocks, ...(metadata && { metadata }) };
}

/** Plain text: paragraphs separated by blank lines; a short first line before a blank line is the title. */
export function parsePlainText(source: string): ParsedDocument {
  const text = source.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  const paragraphs = text.split(/\n[ \t]*\n+/).map((p) => p.replace(/[ \t]*\n[ \t]*/g, ' ').replace(/[ \t]+/g, ' ').trim()).filter(Boolean);
  const first = paragraphs[0];
  const title = first && first.length <= 100 && !/[.!?:;,]$/.test(first) && paragraphs.length > 1 ? first : undefined;
  const blocks: Block[] = paragraphs.map((p, i) => (i === 0 && title ? { kind: 'heading', level: 1, text: p } : { kind: 'paragraph', text: p }));
  return { ...(title && { title }), blocks };
}

/** Inline Markdown to plain text. */
export function inline(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1')
    .replace(/<\/?[A-Za-z][^>]*>/g, '')
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/(^|[^\w*])[*_](?=\S)([^*_]*?\S)[*_](?=[^\w*]|$)/g, '$1$2')
    .replace(/`+([^`]+)`+/g, '$1')
    .replace(/\\([\\`*_{}[\]()#+\-.!|>])/g, '$1')
    .replace(/[ \t]+/g, ' ')
    .trim();
}
