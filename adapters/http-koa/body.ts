import type { IncomingMessage } from 'node:http';
import { cutAtCodePoint, sdkError } from '../../core/index.js';

/** Nesting deeper than this is refused before anything walks the value (hashing, validation, logging). */
export const MAX_JSON_DEPTH = 64;

export type BodyKind = 'json' | 'text' | 'bytes';

/** What a route accepts: media types (`application/json`, `text/*`) and how the bytes are decoded. */
export interface BodyFormat {
  readonly contentTypes: readonly string[];
  readonly limitBytes: number;
}

export type ReadBody = { readonly present: false } | { readonly present: true; readonly value: unknown; readonly contentType: string; readonly bytes: number };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a request body within a byte limit, checks its media type against what the route accepts, and
 * decodes it: JSON (`application/json`, `*\/*+json`) strictly as UTF-8 and parsed; `text/*` as a UTF-8
 * string; anything else the route lists as raw bytes. Every failure is a client error with a code:
 * 413 (too large, checked on Content-Length first and while reading), 415 (type or Content-Encoding not
 * accepted), 400 (bad UTF-8, malformed or too deeply nested JSON).
 */
export async function readBody(req: IncomingMessage, format: BodyFormat, where: { method: string; path: string }): Promise<ReadBody> {
  const declaredLength = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (!chunked && (declaredLength === undefined || declaredLength === '0')) return { present: false };

  const expected = format.contentTypes.join(' or ');
  const rawType = req.headers['content-type'] ?? '';
  const { mediaType, charset } = parseContentType(rawType);
  const encoding = req.headers['content-encoding'];
  const accepted = format.contentTypes.find((type) => mediaTypeMatches(type, mediaType));
  if (!accepted || (encoding !== undefined && encoding.toLowerCase() !== 'identity') || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    const found = `${rawType || '(none)'}${encoding !== undefined ? ` with Content-Encoding ${encoding}` : ''}`;
    throw sdkError('ASDK_HTTP_UNSUPPORTED_MEDIA_TYPE', { method: where.method, path: where.path, found: JSON.stringify(found.slice(0, 100)), expected });
  }
  const length = declaredLength === undefined ? undefined : Number(declaredLength);
  if (length !== undefined && length > format.limitBytes) throw sdkError('ASDK_HTTP_BODY_TOO_LARGE', { limit: format.limitBytes });

  const bytes = await readBytes(req, format.limitBytes);
  const kind = kindOf(mediaType);
  if (kind === 'bytes') return { present: true, value: bytes, contentType: mediaType, bytes: bytes.length };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw sdkError('ASDK_HTTP_BAD_ENCODING');
  }
  if (kind === 'text') return { present: true, value: text, contentType: mediaType, bytes: bytes.length };
  return { present: true, value: parseJson(text), contentType: mediaType, bytes: bytes.length };
}

/** JSON.parse with a client error instead of a SyntaxError, and a nesting limit. */
export function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = text.trim() === '' ? 'the body is empty' : cutAtCodePoint((error as Error).message, 200);
    throw sdkError('ASDK_HTTP_MALFORMED_JSON', { reason });
  }
  if (depthExceeds(value, MAX_JSON_DEPTH)) throw sdkError('ASDK_HTTP_MALFORMED_JSON', { reason: `it nests deeper than ${MAX_JSON_DEPTH} levels` });
  return value;
}

/** `application/json; charset=UTF-8` → media type and charset, lower-cased. */
export function parseContentType(header: string): { mediaType: string; charset?: string } {
  const [type, ...params] = header.split(';');
  let charset: string | undefined;
  for (const param of params) {
    const [name, value] = param.split('=');
    if (name?.trim().toLowerCase() === 'charset' && value !== undefined) charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
  }
  return { mediaType: type.trim().toLowerCase(), ...(charset !== undefined && { charset }) };
}

function mediaTypeMatches(accepted: string, mediaType: string): boolean {
  if (accepted === mediaType) return true;
  if (accepted === 'application/json') return /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
  if (accepted.endsWith('/*')) return mediaType.startsWith(accepted.slice(0, -1)) && mediaType.length > accepted.length - 1;
  return false;
}

function kindOf(mediaType: string): BodyKind {
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) return 'json';
  if (mediaType.startsWith('text/')) return 'text';
  return 'bytes';
}

function readBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (error) reject(error);
      else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop buffering; the rest is discarded by Node once the response ends (the connection then closes).
        finish(sdkError('ASDK_HTTP_BODY_TOO_LARGE', { limit }));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onError = (error: Error) => finish(sdkError('ASDK_HTTP_BAD_REQUEST', { reason: `the body could not be read (${error.message})` }));
    const onAborted = () => finish(sdkError('ASDK_HTTP_BAD_REQUEST', { reason: 'the client closed the connection while sending the body' }));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** Iterative, so a hostile nesting cannot overflow the stack while being measured. */
function depthExceeds(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (depth > limit) return true;
    const children = Array.isArray(current) ? current : Object.values(current as Record<string, unknown>);
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}
