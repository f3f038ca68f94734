import { convert, type FormatCallback } from 'html-to-text';
import { createExtensionPoint, sdkError } from '../../../core/index.js';
import { parseMarkdown, parsePlainText, type ParsedDocument } from './blocks.js';

/**
 * A document format: how a file of some extensions or media types becomes blocks (headings, paragraphs, lists,
 * code) for the chunker. The RAG plugin has text, Markdown and HTML; a plugin may contribute more (PDF, DOCX)
 * to `documentFormats`.
 *
 * @example
 * ```ts
 * const csv: DocumentFormat = {
 *   name: 'csv', extensions: ['.csv'], mediaTypes: ['text/csv'],
 *   parse: ({ text }) => ({ blocks: text.split('\n').map((row) => ({ kind: 'paragraph', text: row })) }),
 * };
 * definePlugin({ id: 'rag-csv', version: '1.0.0', contributes: [contribution(documentFormats, csv)] });
 * ```
 */
export interface DocumentFormat {
  readonly name: string;
  /** Lower-case, with the dot: `.md`. */
  readonly extensions: readonly string[];
  readonly mediaTypes: readonly string[];
  /** False for binary formats: `text` is then empty and `bytes` holds the file. Default true. */
  readonly textual?: boolean;
  parse(input: { readonly text: string; readonly bytes: Uint8Array; readonly source: string }): ParsedDocument | Promise<ParsedDocument>;
}

/** Formats other plugins add; read by the RAG plugin at start. */
export const documentFormats = createExtensionPoint<DocumentFormat>({ id: 'rag.document-formats', description: 'Document formats the RAG ingestion understands' });

export const markdownFormat: DocumentFormat = {
  name: 'markdown',
  extensions: ['.md', '.markdown', '.mdown', '.mkd', '.mdx'],
  mediaTypes: ['text/markdown', 'text/x-markdown'],
  parse: ({ text }) => parseMarkdown(text),
};

export const textFormat: DocumentFormat = {
  name: 'text',
  extensions: ['.txt', '.text', '.rst', '.adoc', '.org', '.log'],
  mediaTypes: ['text/plain'],
  parse: ({ text }) => parsePlainText(text),
};

export const htmlFormat: DocumentFormat = {
  name: 'html',
  extensions: ['.html', '.htm', '.xhtml'],
  mediaTypes: ['text/html', 'application/xhtml+xml'],
  parse: ({ text }) => parseHtml(text),
};

export const builtinFormats: readonly DocumentFormat[] = [markdownFormat, textFormat, htmlFormat];

/** Headings become Markdown headings, so the Markdown block parser sees the page's structure. */
const heading =
  (level: number): FormatCallback =>
  (elem, walk, builder) => {
    builder.openBlock({ leadingLineBreaks: 2 });
    builder.addInline(`${'#'.repeat(level)} `);
    walk(elem.children, builder);
    builder.closeBlock({ trailingLineBreaks: 2 });
  };

const SKIPPED = ['img', 'script', 'style', 'noscript', 'template', 'svg', 'canvas', 'iframe', 'object', 'video', 'audio', 'head', 'nav', 'button', 'form'];

/** HTML to blocks: the page's title, headings, paragraphs, lists, tables; no scripts, styles, navigation or link targets. */
export function parseHtml(html: string): ParsedDocument {
  const titleMatch = /<title[^>]*>([\s\S]{0,2000}?)<\/title>/i.exec(html.slice(0, 200_000));
  const pageTitle = titleMatch ? convert(titleMatch[1], { wordwrap: false }).replace(/\s+/g, ' ').trim() : '';
  const text = convert(html, {
    wordwrap: false,
    limits: { maxDepth: 256, maxInputLength: Number.MAX_SAFE_INTEGER },
    formatters: { h1: heading(1), h2: heading(2), h3: heading(3), h4: heading(4), h5: heading(5), h6: heading(6) },
    selectors: [
      ...[1, 2, 3, 4, 5, 6].map((n) => ({ selector: `h${n}`, format: `h${n}` })),
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'ul', options: { itemPrefix: '- ' } },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
      ...SKIPPED.map((selector) => ({ selector, format: 'skip' })),
    ],
  });
  const parsed = parseMarkdown(escapeStrayMarkdown(text));
  const title = pageTitle || parsed.title;
  return { ...parsed, ...(title && { title }) };
}

/** Lines of the converted text that Markdown would misread (a `---` of a table, a leading `>`), made plain. */
function escapeStrayMarkdown(text: string): string {
  return text.replace(/^(\s*)(>|```|~~~)/gm, '$1\\$2');
}

/** The format of a file by its extension, or of a body by its media type. */
export function findFormat(formats: readonly DocumentFormat[], hint: { source?: string; mediaType?: string; format?: string }): DocumentFormat | undefined {
  if (hint.format) return formats.find((f) => f.name === hint.format);
  const media = hint.mediaType?.split(';')[0].trim().toLowerCase();
  if (media && media !== 'application/octet-stream') {
    const byType = formats.find((f) => f.mediaTypes.includes(media));
    if (byType) return byType;
  }
  const extension = /(\.[A-Za-z0-9]+)$/.exec(hint.source ?? '')?.[1]?.toLowerCase();
  return extension ? formats.find((f) => f.extensions.includes(extension)) : undefined;
}

/** Refusal naming what is supported. */
export function unsupported(formats: readonly DocumentFormat[], source: string, reason: string) {
  const list = formats.map((f) => `${f.name} (${f.extensions.join(', ')})`).join('; ');
  return sdkError('ASDK_RAG_UNSUPPORTED_FORMAT', { source, reason, formats: list });
}
