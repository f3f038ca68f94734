import { convert } from 'html-to-text';

export type ContentKind = 'html' | 'text' | 'binary' | 'unknown';

const TEXT_TYPES = /^(text\/[\w.+-]+|application\/(json|ld\+json|xml|javascript|ecmascript|x-javascript|x-ndjson|ndjson|yaml|x-yaml|toml|csv|sql|graphql|x-www-form-urlencoded|[\w.-]+\+(json|xml)))$/;
const HTML_TYPES = /^(text\/html|application\/xhtml\+xml)$/;

/** The media type (lower case, no parameters) and charset of a Content-Type header. */
export function parseContentType(header: string | undefined): { type: string; charset?: string } {
  if (!header) return { type: '' };
  const [type, ...params] = header.split(';');
  const charset = params.map((p) => /^\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(p)?.[1]).find(Boolean);
  return { type: type.trim().toLowerCase(), charset };
}

/** What to do with a body of this media type: convert HTML, pass text, refuse binary, sniff when unsaid. */
export function classifyContent(type: string): ContentKind {
  if (!type) return 'unknown';
  if (HTML_TYPES.test(type)) return 'html';
  if (TEXT_TYPES.test(type)) return 'text';
  return 'binary';
}

/** A body with no declared type is text when its first kilobytes hold no NUL byte and decode as UTF-8. */
export function looksBinary(body: Buffer): boolean {
  const head = body.subarray(0, 4_096);
  if (head.includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, lastCompleteCharacter(head)));
    return false;
  } catch {
    return true;
  }
}

function lastCompleteCharacter(buffer: Buffer): number {
  let end = buffer.length;
  let back = end - 1;
  while (back > 0 && end - back < 4 && (buffer[back] & 0xc0) === 0x80) back--;
  const lead = buffer[back];
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  if (end - back < need) end = back;
  return end;
}

/** Decodes with the declared charset when the platform knows it, UTF-8 otherwise. */
export function decodeBody(body: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

/** The page title, if the head has one. */
export function htmlTitle(html: string): string | undefined {
  const m = /<title[^>]*>([\s\S]{0,2000}?)<\/title>/i.exec(html.slice(0, 200_000));
  if (!m) return undefined;
  const title = convert(m[1], { wordwrap: false }).replace(/\s+/g, ' ').trim();
  return title || undefined;
}

/**
 * Turns HTML into readable text: headings, paragraphs, lists and tables kept; scripts, styles, images and
 * other non-text dropped; links shown once, made absolute against the page URL. Bounded in depth.
 */
export function htmlToText(html: string, baseUrl: string): string {
  const absolute = (href: string) => {
    try {
      return new URL(href, baseUrl).href;
    } catch {
      return href;
    }
  };
  const skip = ['img', 'script', 'style', 'noscript', 'template', 'svg', 'canvas', 'iframe', 'object', 'video', 'audio', 'head'].map((selector) => ({ selector, format: 'skip' }));
  return convert(html, {
    wordwrap: false,
    limits: { maxDepth: 256, maxInputLength: Number.MAX_SAFE_INTEGER },
    selectors: [
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true, pathRewrite: absolute } },
      { selector: 'table', format: 'dataTable' },
      ...skip,
    ],
  })
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
