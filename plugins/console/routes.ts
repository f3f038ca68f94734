import { Type } from 'typebox';
import { defineRoute, type AnyRoute, type RouteReply } from '../../adapters/http-koa/index.js';
import { sdkError } from '../../core/index.js';
import type { ConsoleAssets, ServedAsset } from './assets.js';
import { inlineScriptHashes } from './page-html.js';

const FileParams = Type.Object({ file: Type.String({ pattern: '^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$', description: 'A file of the console build' }) }, { additionalProperties: false });

const html = { description: 'The console page', contentType: 'text/html' };
const notModified = { description: 'Not modified (If-None-Match matched the ETag)' };

/**
 * `GET /` (the page) and `GET /console/{file}` (its script and stylesheet). Public, since the page must
 * load before it can ask for an API key; the API it calls still requires one. Hidden from /openapi.json.
 */
export function consoleRoutes(assets: ConsoleAssets): AnyRoute[] {
  const page = defineRoute({
    method: 'GET',
    path: '/',
    operationId: 'getConsole',
    summary: 'The dev console',
    tags: ['console'],
    auth: 'public',
    hidden: true,
    responses: { 200: html, 304: notModified, 500: { description: 'The console could not be built or read', contentType: 'text/html' } },
    async handle({ ctx, logger }) {
      let asset: ServedAsset;
      try {
        asset = await assets.index();
      } catch (error) {
        logger.error('the console could not be served', { error });
        return { status: 500, body: failurePage(error), contentType: 'text/html; charset=utf-8', headers: { 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'" } };
      }
      return reply(asset, ctx.get('accept-encoding'), ctx.get('if-none-match'), {
        'Content-Security-Policy': pagePolicy(asset),
        'Referrer-Policy': 'no-referrer',
        'X-Frame-Options': 'DENY',
      });
    },
  });

  const file = defineRoute({
    method: 'GET',
    path: '/console/{file}',
    operationId: 'getConsoleAsset',
    summary: 'A file of the dev console',
    tags: ['console'],
    auth: 'public',
    hidden: true,
    params: FileParams,
    responses: {
      200: { description: 'The file (text/javascript, text/css)' },
      304: notModified,
      404: { description: 'No such file in this build', contentType: 'application/problem+json' },
    },
    async handle({ params, ctx }) {
      const asset = await assets.file(params.file);
      if (!asset) throw sdkError('ASDK_HTTP_NOT_FOUND', { method: ctx.method, path: ctx.path });
      return reply(asset, ctx.get('accept-encoding'), ctx.get('if-none-match'), {});
    },
  });
  return [page, file];
}

/** The asset in the best encoding the client accepts, or 304 when its ETag matches. */
function reply(asset: ServedAsset, acceptEncoding: string, ifNoneMatch: string, extra: Record<string, string>): RouteReply {
  const encoding = asset.br && accepts(acceptEncoding, 'br') ? 'br' : asset.gzip && accepts(acceptEncoding, 'gzip') ? 'gzip' : undefined;
  const etag = encoding ? `${asset.etag.slice(0, -1)}-${encoding === 'br' ? 'br' : 'gz'}"` : asset.etag;
  const headers: Record<string, string> = {
    ETag: etag,
    'Cache-Control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...(asset.gzip && { Vary: 'Accept-Encoding' }),
    ...extra,
  };
  if (ifNoneMatch && matches(ifNoneMatch, asset.etag)) return { status: 304, headers };
  const body = encoding === 'br' ? asset.br! : encoding === 'gzip' ? asset.gzip! : asset.body;
  return { status: 200, body, contentType: asset.contentType, headers: { ...headers, ...(encoding && { 'Content-Encoding': encoding }) } };
}

/** Whether Accept-Encoding lists `coding` without `q=0`. */
function accepts(header: string, coding: string): boolean {
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (name.trim() !== coding) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/** If-None-Match against an asset's ETag, in any of its encodings (`*` matches too). */
function matches(header: string, etag: string): boolean {
  const base = etag.slice(1, -1);
  return header.split(',').some((tag) => {
    const value = tag.trim().replace(/^W\//, '');
    return value === '*' || value === etag || value === `"${base}-br"` || value === `"${base}-gz"`;
  });
}

function pagePolicy(asset: ServedAsset): string {
  const scripts = inlineScriptHashes(asset.body.toString('utf8'));
  return [
    "default-src 'none'",
    `script-src 'self' ${scripts.join(' ')}`.trim(),
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function failurePage(error: unknown): string {
  const message = String((error as Error)?.message ?? error).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>agent-sdk console: not available</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}pre{white-space:pre-wrap;background:#f4f4f5;padding:1rem;border-radius:8px}</style></head>
<body><h1>The console is not available</h1><pre>${message}</pre>
<p>The API works regardless: see <a href="docs">/docs</a> and <a href="health">/health</a>.</p></body></html>`;
}
