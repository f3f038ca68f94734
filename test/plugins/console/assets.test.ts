// Serving the console: the page and its hashed files with the right types, cache headers, ETags, encodings
// and CSP; built from source or read from a build folder; public even when the API needs a key; left out of
// OpenAPI; and a bundle that stays within its size budget.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { routes, serverPlugin } from '../../../adapters/http-koa/index.js';
import { assetSource, ConsoleAssets, consolePlugin } from '../../../plugins/console/index.js';
import { buildConsole, bundleSize, writeConsole } from '../../../plugins/console/build.js';
import { inlineScriptHashes } from '../../../plugins/console/page-html.js';
import { contribution, definePlugin, ports, type Logger } from '../../../core/index.js';
import { consoleRoutes } from '../../../plugins/console/routes.js';
import { startTestKernel } from '../../../testing.js';
import { removeDir } from './helpers.js';

/** The budget for what a browser downloads (script + stylesheet, gzipped). Raise it on purpose, with a reason. */
const BUDGET_GZIP_BYTES = 45 * 1024;
const KEY = 'asdk_console_test_key_0123456789';

async function serve(config: Record<string, unknown> = {}) {
  const kernel = await startTestKernel({ plugins: [consolePlugin, serverPlugin], config: { server: { port: 0, validateResponses: true, apiKeys: [KEY] }, ...config } });
  const base = kernel.get(ports.transport).find((t) => t.name === 'http')!.address()!;
  return { kernel, base };
}

let server: Awaited<ReturnType<typeof serve>>;
test.before(async () => {
  server = await serve({ console: { assets: 'source' } });
});
test.after(async () => {
  await server?.kernel.stop();
});

async function page() {
  const res = await fetch(`${server.base}/`, { headers: { 'accept-encoding': 'identity' } });
  const html = await res.text();
  const script = /src="console\/(app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
  const stylesheet = /href="console\/(styles-[A-Z0-9]+\.css)"/.exec(html)?.[1];
  return { res, html, script: script!, stylesheet: stylesheet! };
}

test('GET / is the page: HTML, revalidated every time (no-cache + ETag), a strict CSP that allows only its own inline script', async () => {
  const { res, html, script, stylesheet } = await page();
  assert.is(res.status, 200);
  assert.is(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.is(res.headers.get('cache-control'), 'no-cache');
  assert.match(res.headers.get('etag') ?? '', /^"[A-Za-z0-9_-]{20,}"$/);
  assert.ok(script && stylesheet, 'the page names its hashed script and stylesheet');
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /connect-src 'self'/);
  assert.not.match(csp, /unsafe-inline|unsafe-eval/);
  const hashes = inlineScriptHashes(html);
  assert.is(hashes.length, 1);
  assert.ok(csp.includes(`script-src 'self' ${hashes[0]}`), csp);
  assert.is(res.headers.get('x-content-type-options'), 'nosniff');
  assert.is(res.headers.get('x-frame-options'), 'DENY');
  assert.match(html, /<html lang="en">/);
  assert.not.match(html, /https?:\/\/(?!www\.w3\.org)/, 'nothing from another origin (no CDN)');

  const again = await fetch(`${server.base}/`, { headers: { 'if-none-match': res.headers.get('etag')!, 'accept-encoding': 'identity' } });
  assert.is(again.status, 304);
  assert.is(await again.text(), '');
  const head = await fetch(`${server.base}/`, { method: 'HEAD' });
  assert.is(head.status, 200);
});

test('hashed files: immutable for a year, the right types, br or gzip as accepted (and the same bytes once decoded)', async () => {
  const { script, stylesheet } = await page();
  const plain = await fetch(`${server.base}/console/${script}`, { headers: { 'accept-encoding': 'identity' } });
  assert.is(plain.status, 200);
  assert.is(plain.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.is(plain.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.is(plain.headers.get('content-encoding'), null);
  assert.is(plain.headers.get('vary'), 'Accept-Encoding');
  const body = Buffer.from(await plain.arrayBuffer());
  assert.ok(body.length > 10_000);

  const { request } = await import('node:http');
  const raw = (encoding: string) =>
    new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      request(`${server.base}/console/${script}`, { headers: { 'accept-encoding': encoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
  const br = await raw('gzip, deflate, br');
  assert.is(br.headers['content-encoding'], 'br');
  assert.ok(br.body.length < body.length / 2);
  assert.equal(brotliDecompressSync(br.body), body);
  const gz = await raw('gzip;q=1, br;q=0');
  assert.is(gz.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(gz.body), body);
  assert.not.equal(br.headers.etag, gz.headers.etag, 'each encoding has its own ETag');

  const css = await fetch(`${server.base}/console/${stylesheet}`);
  assert.is(css.headers.get('content-type'), 'text/css; charset=utf-8');
  const revalidated = await fetch(`${server.base}/console/${stylesheet}`, { headers: { 'if-none-match': css.headers.get('etag')! } });
  assert.is(revalidated.status, 304);
});

test('unknown files are a 404 problem, odd names a 400; the console is public while the API needs a key', async () => {
  const missing = await fetch(`${server.base}/console/app-NOTAHASH.js`);
  assert.is(missing.status, 404);
  assert.is(missing.headers.get('content-type'), 'application/problem+json');
  assert.is(((await missing.json()) as { code: string }).code, 'ASDK_HTTP_NOT_FOUND');
  const index = await fetch(`${server.base}/console/index.html`);
  assert.is(index.status, 404, 'the page is served at / only');
  const odd = await fetch(`${server.base}/console/%2e%2e%2fpackage.json`);
  assert.is(odd.status, 400);
  assert.is(((await odd.json()) as { errors: { path: string }[] }).errors[0].path, 'params.file');
  assert.is((await fetch(`${server.base}/sessions`)).status, 401, 'the API still needs the key');
  const openapi = (await (await fetch(`${server.base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
  assert.not.ok('/' in openapi.paths);
  assert.not.ok('/console/{file}' in openapi.paths);
});

test(`the bundle stays within its budget (${BUDGET_GZIP_BYTES / 1024} KB gzipped, script + stylesheet)`, async () => {
  const build = await buildConsole();
  const size = bundleSize(build);
  console.log(`  console bundle: ${size.files.map((f) => `${f.name} ${(f.raw / 1024).toFixed(1)} KB raw, ${(f.gzip / 1024).toFixed(1)} KB gz`).join('; ')}`);
  assert.ok(size.gzip <= BUDGET_GZIP_BYTES, `${size.gzip} bytes gzipped is over the budget of ${BUDGET_GZIP_BYTES}`);
  assert.ok(size.gzip > 5 * 1024, 'the build is not empty');
  const names = build.files.map((f) => f.name).sort();
  assert.is(names.length, 3, names.join(', '));
  const again = await buildConsole();
  assert.equal(again.files.map((f) => f.name).sort(), names, 'the build is deterministic: same sources, same names');
});

test('built mode serves a build folder (what the package ships); a missing folder is a readable 500 page', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'asdk-console-dist-'));
  try {
    const build = await writeConsole(join(dir, 'console'));
    const assets = new ConsoleAssets({ kind: 'built', dir: join(dir, 'console') }, silent());
    const index = await assets.index();
    assert.equal(index.body, build.files.find((f) => f.name === 'index.html')!.body);
    for (const file of build.files.filter((f) => f.name !== 'index.html')) assert.equal((await assets.file(file.name))?.body, file.body);
    assert.is(await assets.file('index.html'), undefined);
  } finally {
    removeDir(dir);
  }
  const nowhere = join(tmpdir(), 'asdk-console-nowhere', String(process.pid));
  const kernel = await startTestKernel({
    plugins: [serverPlugin, definePlugin({ id: 'test-console-missing', version: '1.0.0', contributes: [contribution(routes, ...consoleRoutes(new ConsoleAssets({ kind: 'built', dir: nowhere }, silent())))] })],
    config: { server: { port: 0 } },
  });
  try {
    const base = kernel.get(ports.transport).find((t) => t.name === 'http')!.address()!;
    const res = await fetch(`${base}/`);
    assert.is(res.status, 500);
    assert.is(res.headers.get('content-type'), 'text/html; charset=utf-8');
    const text = await res.text();
    assert.match(text, /The console is not available/);
    assert.ok(text.includes(nowhere), 'names the folder it looked in');
    assert.match(text, /npm run build/);
    assert.is((await fetch(`${base}/health`)).status, 200, 'the API is unaffected');
  } finally {
    await kernel.stop();
  }
});

test('auto picks source under TypeScript and dist/console in the package; source mode rebuilds after an edit', async () => {
  assert.equal(assetSource('auto', 'file:///work/agent-sdk/plugins/console/assets.ts'), { kind: 'source' });
  const fromDist = assetSource('auto', new URL('../../../dist/index.js', import.meta.url).href);
  assert.is(fromDist.kind, 'built');
  assert.is(fromDist.kind === 'built' && fromDist.dir, join(process.cwd(), 'dist', 'console'));
  assert.equal(assetSource('source', 'file:///x/dist/index.js'), { kind: 'source' });

  const builds: string[] = [];
  const logger = { ...silent(), debug: (message: string) => builds.push(message) } as Logger;
  const assets = new ConsoleAssets({ kind: 'source' }, logger);
  const first = await assets.index();
  await assets.index();
  assert.is(builds.length, 1, 'built once, then served from memory');
  const source = new URL('../../../plugins/console/ui/views/app.tsx', import.meta.url).pathname;
  const later = new Date(Date.now() + 2000);
  utimesSync(source, later, later);
  const second = await assets.index();
  assert.is(builds.length, 2, 'a newer source file means a rebuild');
  assert.equal(second.body, first.body, 'same sources, same page');
  const now = new Date();
  utimesSync(source, now, now);
});

function silent(): Logger {
  const noop = () => undefined;
  const logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => logger } as unknown as Logger;
  return logger;
}

test.run();
