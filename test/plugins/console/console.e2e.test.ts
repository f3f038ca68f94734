// The dev console in headless Chromium against the real server (batteries, SQLite in a temp folder, the
// offline model slowed down to stream visibly), through a TCP proxy that can cut the event stream and
// follow the server across a restart. One browser, one page, reused by every test.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SseParser } from '../../../plugins/console/ui/api/sse.js';
import type { Envelope } from '../../../plugins/console/ui/api/types.js';
import { chromiumAvailable, CuttableProxy, launchChromium, removeDir, screenshot, startConsoleServer, until, type ConsoleServer } from './helpers.js';

const DELAY_MS = 40;
let server: ConsoleServer;
let proxy: CuttableProxy;
const available = chromiumAvailable('console browser tests');
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

test.before(async () => {
  if (!available) return;
  browser = await launchChromium();
  server = await startConsoleServer({ delayMs: DELAY_MS });
  proxy = await CuttableProxy.start(server.port);
  context = await browser.newContext({ viewport: { width: 1360, height: 860 }, colorScheme: 'light' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: proxy.base });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource|ERR_/.test(message.text())) pageErrors.push(message.text());
  });
});

test.after(async () => {
  await browser?.close();
  await proxy?.close();
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

async function storedEvents(runId: string): Promise<Envelope[]> {
  const text = await (await fetch(`${server.base}/run/${runId}/events`)).text();
  return new SseParser().push(text).filter((m) => m.id).map((m) => JSON.parse(m.data) as Envelope);
}

async function storedRun(runId: string): Promise<{ status: string; output?: string; sessionId: string }> {
  return (await fetch(`${server.base}/run/${runId}`)).json() as Promise<{ status: string; output?: string; sessionId: string }>;
}

/** The id of the run whose turn is last on the page. */
async function lastRunId(): Promise<string> {
  return (await page.locator('article.turn').last().getAttribute('data-run'))!;
}

/** Records every text the last turn's answer had while it streamed, from inside the page. */
async function recordAnswerTexts(): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { answerTexts: string[] }).answerTexts = seen;
    new MutationObserver(() => {
      const nodes = document.querySelectorAll('article.turn:last-of-type [data-testid="answer-text"]');
      const text = Array.from(nodes, (n) => n.textContent ?? '').join('');
      if (text && seen[seen.length - 1] !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

async function send(preset: string, text: string): Promise<void> {
  await page.getByLabel('Preset').selectOption(preset);
  await page.getByLabel('Message').fill(text);
  await page.getByLabel('Message').press('Enter');
}

e2e('a prompt with the tools preset: the answer, and the calculator card with arguments, result and duration', async () => {
  await page.goto(`${proxy.base}/`);
  await page.getByRole('heading', { name: 'What should the agent do?' }).waitFor();
  await send('assistant_tools', 'What is 17 * 23?');
  const card = page.locator('[data-tool="calculator"]');
  await card.waitFor();
  await page.locator('.run-head [data-status="completed"]').waitFor();
  const runId = await lastRunId();
  const run = await storedRun(runId);
  assert.is(run.status, 'completed');
  assert.is(run.output, '17 * 23 = 391');
  assert.is(await page.locator('[data-testid="answer-text"]').innerText(), '17 * 23 = 391');
  const cardText = await card.innerText();
  for (const part of ['calculator', 'v1.0.0', '"expression": "17 * 23"', '"result": 391']) assert.ok(cardText.includes(part), `card shows ${part}: ${cardText}`);
  assert.match(await card.locator('.tool-duration').innerText(), /^\d+(\.\d+)? ms$/);
  const footer = await page.locator('article.turn .run-foot').last().innerText();
  assert.match(footer, /305 in · 13 out/, 'usage per run');
  assert.match(footer, /2 steps · 1 tool call/);
  assert.match(await page.locator('.trace').last().innerText(), /Step 1 done[\s\S]*Step 2[\s\S]*Completed/, 'lifecycle events on the timeline');
  assert.match(page.url(), new RegExp(`#/sessions/${run.sessionId}$`), 'the new session is opened');
  await screenshot(page, 'run-tools');
  if (process.env.AGENT_SDK_UPDATE_SCREENSHOT === '1') copyFileSync(await screenshot(page, 'run-tools'), 'docs/console.png');
});

e2e('after a reload the run is in the session history, and its trace is read back from storage', async () => {
  const runId = await lastRunId();
  const { sessionId } = await storedRun(runId);
  await page.goto(`${proxy.base}/#/`);
  await page.reload();
  const item = page.getByRole('navigation', { name: 'Sessions' }).locator(`a[href="#/sessions/${sessionId}"]`);
  await item.waitFor();
  await item.click();
  await page.locator(`article[data-run="${runId}"] [data-tool="calculator"]`).waitFor();
  assert.is(await item.getAttribute('aria-current'), 'page');
  const turn = page.locator(`article[data-run="${runId}"]`);
  assert.match(await turn.locator('.bubble-user').innerText(), /What is 17 \* 23\?/);
  assert.is(await turn.locator('[data-testid="answer-text"]').innerText(), '17 * 23 = 391');
  assert.match(await turn.locator('[data-tool="calculator"]').innerText(), /"result": 391/);
  await screenshot(page, 'session');
});

e2e('the event stream cut mid-run (twice): the console resumes with Last-Event-ID and the answer completes exactly once', async () => {
  await page.goto(`${proxy.base}/#/`);
  await recordAnswerTexts();
  await send('assistant_basic', 'Hello');
  const answer = page.locator('article.turn').last().locator('[data-testid="answer-text"]');
  await until(async () => (await answer.count()) && (await answer.innerText()).length > 25, 'some streamed text');
  assert.is(await page.locator('[role="log"]').count(), 1, 'the live trace is a log live region');
  assert.is(proxy.cutStreams(), 1, 'the stream was cut');
  await until(async () => (await answer.innerText()).length > 120, 'more text after the cut');
  assert.is(proxy.cutStreams(), 1, 'cut again');
  await page.locator('article.turn').last().locator('.run-head [data-status="completed"]').waitFor();
  const runId = await lastRunId();
  const run = await storedRun(runId);
  const shown = await answer.innerText();
  assert.is(shown, run.output, 'exactly the stored answer: nothing lost, nothing twice');
  const texts = await page.evaluate(() => (window as unknown as { answerTexts: string[] }).answerTexts);
  assert.ok(texts.length >= 10, `the answer streamed in as it was generated (${texts.length} states seen)`);
  const notPrefix = texts.filter((t) => !run.output!.startsWith(t));
  assert.equal(notPrefix, [], 'at every moment, before and after the cuts, the text shown was a prefix of the answer');
  const trace = await page.locator('article.turn').last().locator('.trace').innerText();
  assert.is(trace.split(run.output!.slice(0, 40)).length - 1, 1, 'the text appears once');
  const stored = await storedEvents(runId);
  assert.is(await page.locator('article.turn').last().locator('.trace li.ev').count(), stored.filter((e) => e.stream === 'lifecycle').length, 'each lifecycle event once');
  const requests = proxy.eventRequests().filter((r) => r.line.includes(runId));
  assert.is(requests.length, 3, JSON.stringify(requests));
  assert.is(requests[0].lastEventId, undefined);
  assert.ok(Number(requests[1].lastEventId) > 0 && Number(requests[2].lastEventId) > Number(requests[1].lastEventId), JSON.stringify(requests));
  await screenshot(page, 'resumed');
});

e2e('run details: the raw envelopes copy as JSON, and the replay steps through the stored events', async () => {
  const first = page.locator('article.turn').first();
  await page.goto(`${proxy.base}/#/`);
  const toolsSession = page.getByRole('navigation', { name: 'Sessions' }).locator('a.session-item').last();
  await toolsSession.click();
  await first.waitFor();
  const runId = (await page.locator('article.turn').first().getAttribute('data-run'))!;
  const stored = await storedEvents(runId);
  await page.goto(`${proxy.base}/#/runs/${runId}/events`);
  await page.getByRole('tab', { name: /Events/, selected: true }).waitFor();
  await until(async () => (await page.locator('.event-row').count()) === stored.length, 'every envelope listed');
  await page.getByRole('button', { name: 'Copy all as JSON' }).click();
  const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as Envelope[];
  assert.equal(copied, stored, 'the copy is the envelopes exactly as stored');
  await page.locator('.event-row summary').nth(2).click();
  assert.match(await page.locator('.event-row').nth(2).locator('.json').innerText(), /"type": "tool.call"/);
  await screenshot(page, 'run-events');

  await page.getByRole('tab', { name: 'Events' }).press('ArrowRight');
  await page.getByRole('tab', { name: 'Replay', selected: true }).waitFor();
  const replay = page.getByTestId('replay-trace');
  const next = page.getByRole('button', { name: 'Next event' });
  for (let i = 0; i < 3; i++) await next.click();
  assert.is(await replay.locator('[data-tool="calculator"]').count(), 1, 'the call after three events');
  assert.is(await replay.locator('[data-tool="calculator"] .tool-state').innerText(), 'running', 'no result yet');
  assert.is(await replay.locator('[data-testid="answer-text"]').count(), 0);
  await next.click();
  assert.match(await replay.locator('[data-tool="calculator"] .tool-duration').innerText(), /ms$/);
  await page.getByRole('button', { name: 'Previous event' }).click();
  assert.is(await replay.locator('[data-tool="calculator"] .tool-state').innerText(), 'running', 'stepping back undoes the result');
  await page.getByLabel('Pace').selectOption('steady');
  await page.getByRole('button', { name: 'Back to the start' }).click();
  await page.getByRole('button', { name: 'Play' }).click();
  await page.locator('.replay-position', { hasText: `${stored.length} / ${stored.length}` }).waitFor();
  assert.is(await replay.locator('[data-testid="answer-text"]').innerText(), '17 * 23 = 391');
  await screenshot(page, 'replay');
});

e2e('a multi-agent run: the nested run is grouped under the agent.analyst call, with its own calculator card', async () => {
  await page.goto(`${proxy.base}/#/`);
  await send('assistant_multiagent', 'What is 6 * 7?');
  const turn = page.locator('article.turn').last();
  await turn.locator('.run-head [data-status="completed"]').waitFor();
  const delegation = turn.locator('[data-tool="agent.analyst"]');
  const nested = delegation.locator('.nested');
  assert.is(await nested.count(), 1, await turn.innerText());
  assert.is(await page.locator('article.turn').count(), 1, 'the nested run (same session) is not a turn of its own');
  assert.match(await nested.locator('.nested-head').innerText(), /Sub-agent analyst[\s\S]*completed/i);
  assert.match(await nested.locator('[data-tool="calculator"]').innerText(), /"result": 42/);
  assert.match(await turn.locator('[data-testid="answer-text"]').last().innerText(), /6 \* 7 = 42/);
  assert.is(await turn.locator(':scope > .assistant > .trace > .lane > [data-tool="calculator"]').count(), 0, 'the analyst\'s call is not the supervisor\'s');
  await screenshot(page, 'multiagent');
});

e2e('keyboard and themes: Shift+Enter adds a line, Enter sends; the theme toggles and sticks; every control has a name', async () => {
  await page.goto(`${proxy.base}/#/`);
  const box = page.getByLabel('Message');
  await box.fill('');
  await box.focus();
  await page.keyboard.type('first line');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('second line');
  assert.is(await box.inputValue(), 'first line\nsecond line');
  assert.is(await page.locator('article.turn').count(), 0, 'nothing was sent');
  await box.fill('');
  const unnamed = await page.evaluate(() =>
    Array.from(document.querySelectorAll('button, input, select, textarea, a[href]'))
      .filter((el) => {
        const name = (el.getAttribute('aria-label') ?? '') + ((el as HTMLInputElement).labels?.[0]?.textContent ?? '') + (el.textContent ?? '').trim();
        return !name.trim() && !el.getAttribute('aria-labelledby') && !el.getAttribute('title');
      })
      .map((el) => el.outerHTML.slice(0, 80)),
  );
  assert.equal(unnamed, [], 'controls without an accessible name');
  assert.is(await page.getAttribute('html', 'data-theme'), null, 'follows the system by default');
  await page.getByRole('button', { name: /^Theme: system/ }).click();
  assert.is(await page.getAttribute('html', 'data-theme'), 'light');
  await page.getByRole('button', { name: /^Theme: light/ }).click();
  assert.is(await page.getAttribute('html', 'data-theme'), 'dark');
  await page.reload();
  await page.getByRole('button', { name: /^Theme: dark/ }).waitFor();
  assert.is(await page.getAttribute('html', 'data-theme'), 'dark', 'applied before the app even starts');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.is(background, 'rgb(15, 15, 18)');
  await page.locator('a.session-item').first().click();
  await page.locator('article.turn').first().waitFor();
  await screenshot(page, 'dark');
  await page.getByRole('button', { name: /^Theme: dark/ }).click();
  assert.is(await page.getAttribute('html', 'data-theme'), null);
});

e2e('citations: an answer from the documents lists its sources, and its [1] marker brings the source into view', async () => {
  const ingested = await fetch(`${server.base}/collections/default/documents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source: 'handbook/operations.md', content: '# Deploying\n\nRun docker compose up to start the stack.\n\n# Backups\n\nBackups run nightly at 02:00 and are kept for 30 days.' }),
  });
  assert.is(ingested.status, 201);
  await page.goto(`${proxy.base}/#/`);
  await send('assistant_rag', 'How long are backups kept?');
  const turn = page.locator('article.turn').last();
  await turn.locator('.run-head [data-status="completed"]').waitFor();
  const sources = turn.getByRole('region', { name: 'Sources' });
  const text = await sources.innerText();
  assert.match(text, /\[1\]\s*handbook\/operations\.md/);
  assert.match(text, /ch_[0-9a-f]+/, 'the chunk id');
  assert.match(text, /Backups run nightly at 02:00 and are kept for 30 days\./, 'the quote');
  assert.match(await turn.locator('[data-tool="vector.search"]').innerText(), /handbook\/operations\.md/, 'the search that found it');
  const marker = turn.locator('[data-testid="answer-text"] button.cite-ref');
  assert.is(await marker.count(), 1);
  await marker.click();
  assert.is(await page.evaluate(() => document.activeElement?.closest('.citations') !== null), true, 'focus moved to the source');
  await screenshot(page, 'citations');
});

e2e('cancel: the button stops a running run, which ends as cancelled with the console\'s reason', async () => {
  await page.goto(`${proxy.base}/#/`);
  await send('assistant_basic', 'Hello, who are you?');
  const turn = page.locator('article.turn').last();
  const answer = turn.locator('[data-testid="answer-text"]');
  await until(async () => (await answer.count()) && (await answer.innerText()).length > 10, 'some streamed text');
  await turn.getByRole('button', { name: 'Cancel' }).click();
  await turn.locator('.run-head [data-status="cancelled"]').waitFor();
  assert.match(await turn.locator('.trace').innerText(), /Cancelled\s+cancelled from the console/);
  const run = await storedRun(await lastRunId());
  assert.is(run.status, 'cancelled');
  assert.is(await page.getByRole('button', { name: 'Send' }).count(), 1, 'the prompt can send again');
});

e2e('the server view: health, the /stats summary of this process, presets and tools', async () => {
  await page.goto(`${proxy.base}/#/server`);
  const main = page.locator('main');
  await main.getByRole('heading', { name: 'Since start' }).waitFor();
  const text = await main.innerText();
  assert.match(text, /STATUS\s+ok/i);
  assert.match(text, /STORAGE\s+sqlite/i);
  assert.match(text, /RUNS\s+\d+/i);
  assert.match(await main.getByRole('table', { name: 'Tools' }).innerText(), /calculator/);
  assert.match(text, /assistant_multiagent[\s\S]*sub-agents: analyst/);
  await main.locator('.tool-list summary', { hasText: 'calculator' }).click();
  assert.match(await main.locator('.tool-list li', { hasText: 'calculator' }).innerText(), /"expression"/, 'the input schema');
  await screenshot(page, 'server');
});

e2e('a server restart mid-run: the console waits, reconnects to the new server and shows the rest exactly once', async () => {
  await page.goto(`${proxy.base}/#/`);
  await send('assistant_basic', 'Hello there');
  const turn = page.locator('article.turn').last();
  const answer = turn.locator('[data-testid="answer-text"]');
  await until(async () => (await answer.count()) && (await answer.innerText()).length > 20, 'some streamed text');
  const runId = await lastRunId();
  proxy.refusing = true;
  await server.stop();
  await turn.locator('.phase-note').waitFor();
  assert.match(await turn.locator('.phase-note').innerText(), /Reconnecting/);
  await screenshot(page, 'reconnecting');
  server = await startConsoleServer({ dataDir: server.dataDir, delayMs: DELAY_MS });
  proxy.retarget(server.port);
  proxy.refusing = false;
  // The stop cancelled the run; the new server replays its end from the event log.
  await turn.locator('.run-head [data-status="cancelled"]').waitFor({ timeout: 20_000 });
  const stored = await storedEvents(runId);
  const deltas = stored.filter((e) => e.type === 'assistant.delta' && !e.origin).map((e) => e.data.text as string).join('');
  assert.is(await answer.innerText(), deltas, 'the text streamed before the stop, once');
  assert.match(await turn.locator('.trace').innerText(), /Cancelled/);
  assert.is(await turn.locator('.phase-note').count(), 0, 'the reconnect notice is gone');
});

e2e('no script errors on any page', async () => {
  assert.equal(pageErrors, []);
});

test.run();
