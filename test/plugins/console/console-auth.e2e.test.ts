// The console against a server that requires an API key, and its error states: it asks for the key, says
// when a key is refused (and never keeps a wrong one), streams with the key in a header, shows problem+json
// answers readably (title, code, each failing input, hint), and says when the server is gone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium, removeDir, screenshot, startConsoleServer, type ConsoleServer } from './helpers.js';

const KEY = 'asdk_console_e2e_key_0123456789abcdef';
const KEY_STORAGE = 'agent-sdk.console.apiKey';
let server: ConsoleServer;
const available = chromiumAvailable('console auth and error tests');
let browser: Browser | undefined;
let page: Page;
const pageErrors: string[] = [];


test.before(async () => {
  if (!available) return;
  browser = await launchChromium();
  server = await startConsoleServer({ apiKeys: [KEY], config: { runtime: { maxInputChars: 40 } } });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

test.after(async () => {
  await browser?.close();
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

/** A browser test: skipped (and counted as skipped) when Chromium is not installed. */
const e2e = (name: string, fn: () => Promise<void>) =>
  (available ? test : test.skip)(name, async () => {
    const started = Date.now();
    await fn();
    console.log(`  ${String(Date.now() - started).padStart(5)} ms  ${name.slice(0, 70)}`);
  });

const stored = () => page.evaluate((key) => localStorage.getItem(key), KEY_STORAGE);

e2e('a server with keys: the console asks for one; a wrong key is refused by the server and not kept', async () => {
  await page.goto(`${server.base}/`);
  const dialog = page.getByRole('dialog', { name: 'API key' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /This server requires an API key/);
  assert.match(await page.locator('main').innerText(), /An API key is needed/);
  await dialog.getByLabel('API key').fill('asdk_wrong_key_wrong_key_0000');
  await dialog.getByRole('button', { name: 'Use this key' }).click();
  const alert = dialog.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /The server refused this key[\s\S]*ASDK_AUTH_INVALID_KEY/);
  assert.match(await alert.innerText(), /Check the key for typos/, 'the server\'s hint');
  assert.is(await stored(), null, 'a refused key is not saved');
  await screenshot(page, 'auth-refused');
  await dialog.getByLabel('API key').fill(KEY);
  await dialog.getByRole('button', { name: 'Use this key' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.is(await stored(), KEY);
  await page.getByRole('heading', { name: 'What should the agent do?' }).waitFor();
  await page.getByRole('navigation', { name: 'Sessions' }).getByText('No sessions yet').waitFor();
});

e2e('with the key kept in localStorage: a reload asks nothing, and a run streams (the key goes in a header)', async () => {
  await page.reload();
  await page.getByRole('heading', { name: 'What should the agent do?' }).waitFor();
  assert.is(await page.getByRole('dialog').count(), 0);
  const authorizations: (string | undefined)[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/events')) authorizations.push(request.headers()['authorization']);
  });
  await page.getByLabel('Preset').selectOption('assistant_tools');
  await page.getByLabel('Message').fill('What is 2 + 2?');
  await page.getByLabel('Message').press('Enter');
  await page.locator('.run-head [data-status="completed"]').waitFor();
  assert.is(await page.locator('[data-testid="answer-text"]').innerText(), '2 + 2 = 4');
  assert.ok(authorizations.length >= 1 && authorizations.every((a) => a === `Bearer ${KEY}`), JSON.stringify(authorizations));
});

e2e('a saved key the server no longer accepts: the console says so and asks again', async () => {
  await page.evaluate((key) => localStorage.setItem(key, 'asdk_revoked_key_0000000000000'), KEY_STORAGE);
  await page.reload();
  const dialog = page.getByRole('dialog', { name: 'API key' });
  await dialog.waitFor();
  await dialog.getByText('The server refused the API key this console had saved').waitFor();
  await screenshot(page, 'auth-dialog');
  await dialog.getByRole('button', { name: 'Forget saved key' }).click();
  assert.is(await stored(), null);
  await dialog.getByText('This server requires an API key').waitFor();
  await dialog.getByRole('button', { name: 'Not now' }).click();
  assert.is(await dialog.count(), 0, 'Escape or Not now closes it');
  await page.getByRole('button', { name: 'Enter an API key' }).click();
  await dialog.getByLabel('API key').fill(KEY);
  await dialog.getByLabel('API key').press('Enter');
  await dialog.waitFor({ state: 'detached' });
  await page.locator('a.session-item').first().waitFor();
});

e2e('problem+json, readably: an unknown run (404), a malformed session id (400 with the failing input)', async () => {
  await page.goto(`${server.base}/#/runs/run_doesnotexist`);
  const notFound = page.getByRole('alert');
  await notFound.waitFor();
  const text = await notFound.innerText();
  assert.match(text, /404 Not Found/);
  assert.match(text, /ASDK_RUN_NOT_FOUND/);
  assert.match(text, /run_doesnotexist/, 'the detail names the run');
  assert.match(text, /How to fix it/);
  assert.is(await notFound.getByRole('link', { name: 'ASDK_RUN_NOT_FOUND' }).getAttribute('href'), `${server.base}/docs#ASDK_RUN_NOT_FOUND`);
  await screenshot(page, 'error-404');

  await page.goto(`${server.base}/#/sessions/${encodeURIComponent('no spaces allowed!')}`);
  const invalid = page.getByRole('alert');
  await invalid.locator('.problem-errors').waitFor();
  assert.match(await invalid.innerText(), /400 Bad Request/);
  assert.match(await invalid.getByRole('list', { name: 'What was wrong' }).innerText(), /params\.id\s+must match/);
  assert.is(await page.getByRole('button', { name: 'Try again' }).count(), 1);
  await screenshot(page, 'error-400');
});

e2e('a refused prompt: the problem shows under the box and the text stays for fixing', async () => {
  await page.goto(`${server.base}/#/`);
  const long = 'Please compute this for me: what is 12345 * 6789?';
  await page.getByLabel('Message').fill(long);
  await page.getByRole('button', { name: 'Send' }).click();
  const problem = page.locator('form.prompt [role="alert"]');
  await problem.waitFor();
  assert.match(await problem.innerText(), /400 Bad Request[\s\S]*ASDK_RUN_INVALID_REQUEST[\s\S]*runtime\.maxInputChars/);
  assert.is(await page.getByLabel('Message').inputValue(), long);
  assert.match(page.url(), /#\/$/, 'no session was opened');
});

e2e('the server cannot be reached: a clear state that retries by itself; lost while open, the header says so', async () => {
  await page.route('**/health', (route) => route.abort('connectionrefused'));
  await page.goto(`${server.base}/`);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /Cannot reach the server/);
  assert.match(await page.locator('main').innerText(), /Trying again/);
  await screenshot(page, 'unreachable');
  await page.unroute('**/health');
  await page.getByRole('heading', { name: 'What should the agent do?' }).waitFor({ timeout: 6000 });
  await page.route('**/health', (route) => route.abort('connectionrefused'));
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await page.locator('.health', { hasText: 'unreachable' }).waitFor();
  await page.unroute('**/health');
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await page.locator('.health', { hasText: 'connected' }).waitFor();
});

e2e('no script errors', async () => {
  assert.equal(pageErrors, []);
});

test.run();
