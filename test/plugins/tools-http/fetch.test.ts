// http.fetch end to end against a local server standing in for the outside world. The guard refuses
// loopback unless the test exempts 127.0.0.1/32 (or turns on allowPrivateAddresses), so each test says
// exactly what it lets through, and the server's hit list proves what was never contacted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LookupAddress } from 'node:dns';
import { extensionPoints, type ToolDefinition } from '../../../core/index.js';
import { startTestKernel } from '../../../testing.js';
import { createHttpPlugin, httpPlugin, parseTarget, type Resolver } from '../../../plugins/tools-http/index.js';
import { assertWellFormed, accepts, callTool, toolContext, toolFailure } from '../tools-support/tool-harness.js';
import { startLocalWeb, type LocalWeb } from './local-web.js';

const web: LocalWeb = await startLocalWeb();
const HOST = `127.0.0.1:${web.port}`;
const EXEMPT = { allowNetworks: ['127.0.0.1/32'] };

/** A resolver with fixed answers (and a log of what was asked). */
function fixedResolver(answers: Record<string, string[] | ((call: number) => string[])>) {
  const calls: string[] = [];
  const resolver: Resolver = async (hostname) => {
    calls.push(hostname);
    const entry = answers[hostname];
    if (!entry) throw Object.assign(new Error(`no answer for ${hostname}`), { code: 'ENOTFOUND' });
    const list = typeof entry === 'function' ? entry(calls.filter((c) => c === hostname).length) : entry;
    return list.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolver, calls };
}

async function fetchTool(config: Record<string, unknown>, resolver?: Resolver): Promise<{ tool: ToolDefinition<any, any>; stop: () => Promise<void> }> {
  const plugin = resolver ? createHttpPlugin({ resolver }) : httpPlugin;
  const kernel = await startTestKernel({ plugins: [plugin], config: { 'tools-http': config } });
  const tool = kernel.contributions(extensionPoints.tools).find((t) => t.item.name === 'http.fetch')!.item;
  return { tool, stop: () => kernel.stop() };
}

async function refusedWith(tool: ToolDefinition<any, any>, url: string, code: string, context = toolContext()): Promise<string> {
  const failure = await toolFailure(callTool(tool, { url }, context));
  assert.is(failure.code, code, `${url}: ${failure.message}`);
  return failure.message;
}

function hitsSince(mark: number): string[] {
  return web.hits.slice(mark);
}

test('the tool is well formed; by default every fetch is refused with how to allow a host', async () => {
  const { tool, stop } = await fetchTool({});
  assertWellFormed(tool);
  assert.equal(tool.capabilities, ['network']);
  assert.not.ok(accepts(tool.input, { url: 'https://example.com', method: 'POST' }));
  const mark = web.hits.length;
  const message = await refusedWith(tool, `${web.origin}/page.html`, 'HTTP_HOST_NOT_ALLOWED');
  assert.match(message, 'No host is allowed yet');
  assert.match(message, `"${HOST}" to tools-http.allowHosts`);
  await refusedWith(tool, 'https://example.com/', 'HTTP_HOST_NOT_ALLOWED');
  assert.equal(hitsSince(mark), []);
  await stop();
});

test('an allowlisted loopback server is still refused while the guard is on, in any spelling, by name too', async () => {
  const { resolver, calls } = fixedResolver({ 'evil.test': ['127.0.0.1'], 'metadata.test': ['169.254.169.254'], 'mixed.test': ['93.184.216.34', '127.0.0.1'] });
  const { tool, stop } = await fetchTool(
    { allowHosts: [HOST, `localhost:${web.port}`, `evil.test:${web.port}`, 'metadata.test', `mixed.test:${web.port}`, `[::1]:${web.port}`] },
    resolver,
  );
  const mark = web.hits.length;
  for (const url of [`${web.origin}/page.html`, `http://2130706433:${web.port}/`, `http://0x7f.1:${web.port}/`, `http://0177.0.0.1:${web.port}/`, `http://127.1:${web.port}/`, `http://[::1]:${web.port}/`]) {
    assert.match(await refusedWith(tool, url, 'HTTP_ADDRESS_BLOCKED'), 'loopback');
  }
  assert.match(await refusedWith(tool, `http://evil.test:${web.port}/page.html`, 'HTTP_ADDRESS_BLOCKED'), 'evil.test resolves to 127.0.0.1');
  assert.match(await refusedWith(tool, 'http://metadata.test/latest/meta-data/', 'HTTP_ADDRESS_BLOCKED'), 'link-local');
  assert.match(await refusedWith(tool, `http://mixed.test:${web.port}/`, 'HTTP_ADDRESS_BLOCKED'), '127.0.0.1');
  assert.ok(calls.includes('evil.test') && calls.includes('mixed.test'), 'names went through the guarded lookup');
  assert.equal(hitsSince(mark), [], 'the server was never contacted');
  await stop();
  // With the real resolver too: localhost is loopback.
  const real = await fetchTool({ allowHosts: [`localhost:${web.port}`] });
  assert.match(await refusedWith(real.tool, `http://localhost:${web.port}/`, 'HTTP_ADDRESS_BLOCKED'), 'localhost resolves to');
  assert.equal(hitsSince(mark), []);
  await real.stop();
});

test('with 127.0.0.1/32 exempted: HTML becomes readable text, JSON and text come back as is', async () => {
  const { tool, stop } = await fetchTool({ allowHosts: [HOST], ...EXEMPT });
  const page = await callTool(tool, { url: `${web.origin}/page.html#section` });
  assert.is(page.url, `${web.origin}/page.html`);
  assert.equal([page.status, page.contentType, page.title, page.truncated, page.redirects], [200, 'text/html', 'Test & Page', false, []]);
  assert.match(page.text, 'WELCOME');
  assert.match(page.text, `guide [${web.origin}/docs/guide.html]`);
  assert.match(page.text, ' * first\n * second');
  assert.match(page.text, 'https://example.org/');
  assert.not.match(page.text, '[https://example.org/]', 'a link whose text is its URL is shown once');
  for (const hidden of ['SCRIPT-TEXT', 'color:red', 'NOSCRIPT-TEXT', 'LOGO', 'Test & Page']) assert.not.match(page.text, hidden);
  const json = await callTool(tool, { url: `${web.origin}/data.json` });
  assert.equal([json.contentType, json.text], ['application/json', '{"answer":42,"list":[1,2]}']);
  assert.is((await callTool(tool, { url: `${web.origin}/latin1.txt` })).text, 'café', 'declared charset honoured');
  assert.is((await callTool(tool, { url: `${web.origin}/untyped-text` })).text, 'plain words');
  assert.is((await callTool(tool, { url: `${web.origin}/gzip` })).text, 'compressed words');
  const missing = await callTool(tool, { url: `${web.origin}/missing` });
  assert.equal([missing.status, missing.text], [404, 'no such page']);
  await stop();
});

test('binary bodies and unknown encodings are refused', async () => {
  const { tool, stop } = await fetchTool({ allowHosts: [HOST], ...EXEMPT });
  assert.match(await refusedWith(tool, `${web.origin}/image.png`, 'HTTP_BINARY'), 'image/png');
  await refusedWith(tool, `${web.origin}/untyped-binary`, 'HTTP_BINARY');
  await refusedWith(tool, `${web.origin}/compress`, 'HTTP_UNSUPPORTED_ENCODING');
  await stop();
});

test('redirects: followed and listed, at most 5, and every hop checked again', async () => {
  const { resolver } = fixedResolver({ 'metadata.test': ['169.254.169.254'], 'evil.test': ['127.0.0.2'] });
  const { tool, stop } = await fetchTool({ allowHosts: [HOST, 'metadata.test', `evil.test:${web.port}`], ...EXEMPT }, resolver);
  const three = await callTool(tool, { url: `${web.origin}/r/3` });
  assert.equal([three.text, three.url, three.redirects], ['arrived', `${web.origin}/r/0`, [`${web.origin}/r/2`, `${web.origin}/r/1`, `${web.origin}/r/0`]]);
  assert.is((await callTool(tool, { url: `${web.origin}/r/5` })).text, 'arrived');
  assert.match(await refusedWith(tool, `${web.origin}/r/6`, 'HTTP_TOO_MANY_REDIRECTS'), 'more than 5');
  const to = (target: string, status = 302) => `${web.origin}/redirect?status=${status}&to=${encodeURIComponent(target)}`;
  const mark = web.hits.length;
  assert.match(await refusedWith(tool, to('http://169.254.169.254/latest/meta-data/'), 'HTTP_HOST_NOT_ALLOWED'), '169.254.169.254');
  assert.match(await refusedWith(tool, to('http://metadata.test/latest/meta-data/', 307), 'HTTP_ADDRESS_BLOCKED'), 'link-local');
  assert.match(await refusedWith(tool, to(`http://evil.test:${web.port}/page.html`, 308), 'HTTP_ADDRESS_BLOCKED'), '127.0.0.2');
  assert.match(await refusedWith(tool, to(`http://[::ffff:127.0.0.1]:${web.port}/`), 'HTTP_HOST_NOT_ALLOWED'), '::ffff:7f00:1');
  assert.match(await refusedWith(tool, to('https://example.com/'), 'HTTP_HOST_NOT_ALLOWED'), 'example.com');
  assert.match(await refusedWith(tool, to('file:///etc/passwd'), 'HTTP_SCHEME'), 'file');
  assert.match(await refusedWith(tool, to('gopher://127.0.0.1:6379/_INFO'), 'HTTP_SCHEME'), 'gopher');
  assert.is(hitsSince(mark).filter((h) => !h.startsWith('/redirect')).length, 0, 'no refused hop reached the server');
  const exemptSpelling = await callTool(tool, { url: to(`http://2130706433:${web.port}/final`) });
  assert.is(exemptSpelling.text, 'you asked for /final', 'another spelling of the exempt address is the same address');
  await stop();
  const none = await fetchTool({ allowHosts: [HOST], ...EXEMPT, maxRedirects: 0 });
  await refusedWith(none.tool, `${web.origin}/r/1`, 'HTTP_TOO_MANY_REDIRECTS');
  await none.stop();
});

test('DNS answers are checked in the connection itself: a name that rebinds between hops is caught', async () => {
  const { resolver, calls } = fixedResolver({ 'rebind.test': (n) => (n === 1 ? ['127.0.0.1'] : ['169.254.169.254']) });
  const { tool, stop } = await fetchTool({ allowHosts: [`rebind.test:${web.port}`], ...EXEMPT }, resolver);
  const mark = web.hits.length;
  const url = `http://rebind.test:${web.port}/redirect?to=${encodeURIComponent(`http://rebind.test:${web.port}/second`)}`;
  assert.match(await refusedWith(tool, url, 'HTTP_ADDRESS_BLOCKED'), 'rebind.test resolves to 169.254.169.254');
  assert.equal(calls, ['rebind.test', 'rebind.test'], 'one lookup per connection, none outside it');
  assert.equal(hitsSince(mark).length, 1, 'only the first hop reached the server');
  await stop();
});

test('byte cap: a large body and a compression bomb stop at maxBytes; an exact fit is not truncated', async () => {
  const { tool, stop } = await fetchTool({ allowHosts: [HOST], ...EXEMPT, maxBytes: 65_536, maxTextChars: 100_000 });
  const started = Date.now();
  const big = await callTool(tool, { url: `${web.origin}/big` });
  assert.equal([big.bytes, big.truncated, big.text.length], [65_536, true, 65_536]);
  const bomb = await callTool(tool, { url: `${web.origin}/bomb` });
  assert.equal([bomb.bytes, bomb.truncated], [65_536, true]);
  assert.ok(Date.now() - started < 5_000, 'stopped reading early');
  const exact = await callTool(tool, { url: `${web.origin}/exact?n=65536` });
  assert.equal([exact.bytes, exact.truncated], [65_536, false]);
  await stop();
  const short = await fetchTool({ allowHosts: [HOST], ...EXEMPT, maxTextChars: 1_000 });
  const long = await callTool(short.tool, { url: `${web.origin}/long.html` });
  assert.equal([long.text.length, long.truncated], [1_000, true]);
  await short.stop();
});

test('a total timeout covers a server that never answers and one that trickles; cancellation is not a timeout', async () => {
  const { tool, stop } = await fetchTool({ allowHosts: [HOST], ...EXEMPT, timeoutMs: 300 });
  for (const path of ['/hang', '/slow-body']) {
    const started = Date.now();
    assert.match(await refusedWith(tool, `${web.origin}${path}`, 'HTTP_TIMEOUT'), 'within 300 ms');
    const took = Date.now() - started;
    assert.ok(took >= 290 && took < 2_000, `${path} took ${took} ms`);
  }
  await stop();
  const patient = await fetchTool({ allowHosts: [HOST], ...EXEMPT, timeoutMs: 10_000 });
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('run cancelled')), 100);
  let error: any;
  try {
    await callTool(patient.tool, { url: `${web.origin}/hang` }, toolContext({ signal: controller.signal }));
  } catch (e) {
    error = e;
  }
  assert.is(error?.message, 'run cancelled');
  await patient.stop();
});

test('a connection that drops mid-body fails at once with HTTP_CONNECTION_FAILED, compressed or not', async () => {
  const { tool, stop } = await fetchTool({ allowHosts: [HOST], ...EXEMPT, timeoutMs: 5_000 });
  for (const encoding of ['gzip', 'identity']) {
    const started = Date.now();
    assert.match(await refusedWith(tool, `${web.origin}/dropped?encoding=${encoding}`, 'HTTP_CONNECTION_FAILED'), 'Reading the response failed');
    const took = Date.now() - started;
    assert.ok(took < 2_000, `${encoding}: took ${took} ms, not the 5 s timeout`);
  }
  await stop();
});

test('maxTextChars cuts on a code point boundary (never half an emoji)', async () => {
  const { tool, stop } = await fetchTool({ allowHosts: [HOST], ...EXEMPT, maxTextChars: 1_000 });
  const result = await callTool(tool, { url: `${web.origin}/emoji.txt` });
  assert.equal([result.text, result.truncated], [`a${'😀'.repeat(499)}`, true]);
  await stop();
});

test('URLs: only http and https, absolute, without credentials', async () => {
  const { tool, stop } = await fetchTool({ allowHosts: [HOST], ...EXEMPT });
  for (const url of ['file:///etc/passwd', 'ftp://example.com/x', 'javascript:alert(1)', 'data:text/plain,hello', 'ws://example.com/']) await refusedWith(tool, url, 'HTTP_SCHEME');
  for (const url of ['not a url', '/relative/path', `http://user:pw@${HOST}/`]) await refusedWith(tool, url, 'HTTP_INVALID_URL');
  await stop();
});

test('allowPrivateAddresses is the blunt test switch: loopback passes only when it is on', async () => {
  const off = await fetchTool({ allowHosts: [HOST] });
  await refusedWith(off.tool, `${web.origin}/data.json`, 'HTTP_ADDRESS_BLOCKED');
  await off.stop();
  const on = await fetchTool({ allowHosts: [HOST], allowPrivateAddresses: true });
  assert.is((await callTool(on.tool, { url: `${web.origin}/data.json` })).status, 200);
  await on.stop();
});

test('configuration mistakes are reported with their paths', async () => {
  let error: any;
  try {
    await fetchTool({ allowHosts: ['https://example.com', 'ok.example', 'example.com/docs', '*'], allowNetworks: ['10.0.0.0/8'] });
  } catch (e) {
    error = e;
  }
  assert.is(error?.code, 'ASDK_PLUGIN_INIT_FAILED');
  assert.is(error.cause.code, 'ASDK_TOOLS_HTTP_HOST_INVALID');
  assert.equal(error.cause.problems.map((p: any) => p.path), ['tools-http.allowHosts[0]', 'tools-http.allowHosts[2]', 'tools-http.allowHosts[3]']);
  assert.match(error.cause.problems[0].message, 'scheme');
  try {
    await fetchTool({ allowNetworks: ['10.0.0.0/99'] });
  } catch (e) {
    error = e;
  }
  assert.is(error.cause.code, 'ASDK_TOOLS_HTTP_NETWORK_INVALID');
  try {
    await fetchTool({ maxRedirects: 10 });
  } catch (e) {
    error = e;
  }
  assert.is(error.code, 'ASDK_CONFIG_INVALID');
  assert.is(error.problems[0].path, 'tools-http.maxRedirects');
});

test.after(() => web.close());

test('an invalid URL is quoted cut on a code point boundary', () => {
  let message = '';
  try {
    parseTarget(`${'x'.repeat(199)}😀 not a url`);
  } catch (error) {
    message = (error as Error).message;
  }
  // JSON.stringify writes a lone surrogate as a \uD83D escape: half an emoji shown as text.
  assert.ok(message.startsWith(`"${'x'.repeat(199)}" is not a valid URL`), message.slice(190, 215));
});

test.run();
