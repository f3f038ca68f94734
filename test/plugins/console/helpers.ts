import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createKernel } from '../../../index.js';
import { ports, type Kernel } from '../../../core/index.js';

export const CHROMIUM = process.env.AGENT_SDK_CHROMIUM ?? '/usr/bin/chromium';
/** What this machine needs to run Chromium headless as root (docs/dev: STACK). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const SCREENSHOTS = join(process.cwd(), 'test-output', 'console');

/** Whether the system Chromium is installed; prints the `[skip]` line when it is not. */
export function chromiumAvailable(what: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  console.log(`[skip] ${what}: no Chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it)`);
  return false;
}

/** The system Chromium driven by playwright-core: headless, one per test file. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

export interface ConsoleServer {
  readonly kernel: Kernel;
  /** `http://127.0.0.1:<port>` of the server itself. */
  readonly base: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

/**
 * The real thing: a kernel with the batteries (SQLite in `dataDir`, the offline model, the presets, the
 * console built from source) on an ephemeral port. `delayMs` slows the offline model's deltas so a run lasts
 * long enough to watch, cut and resume.
 */
export async function startConsoleServer(options: { dataDir?: string; delayMs?: number; apiKeys?: string[]; config?: Record<string, unknown> } = {}): Promise<ConsoleServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'asdk-console-'));
  const kernel = await createKernel({
    cwd: dataDir,
    env: {},
    config: {
      kernel: { dataDir, logLevel: 'silent' },
      server: { port: 0, ...(options.apiKeys && { apiKeys: options.apiKeys }) },
      models: { default: { provider: 'offline', chunkWords: 1, delayMs: options.delayMs ?? 0 } },
      console: { assets: 'source' },
      ...options.config,
    },
  });
  await kernel.start();
  const base = kernel.get(ports.transport).find((t) => t.name === 'http')!.address()!;
  return { kernel, base, port: Number(new URL(base).port), dataDir, stop: () => kernel.stop() };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A TCP proxy in front of the server, as the network between browser and server: it can cut every
 * connection that carries an event stream (as a dropped connection would), and be pointed at another
 * port (a restarted server) while the browser keeps the same address.
 */
export class CuttableProxy {
  readonly #server: Server;
  #target: number;
  readonly #pairs = new Set<{ client: Socket; upstream: Socket; streams: boolean }>();
  /** Request lines seen, in order (`GET /run/…/events`), with their Last-Event-ID when present. */
  readonly requests: { line: string; lastEventId?: string }[] = [];
  #refusing = false;

  private constructor(server: Server, target: number) {
    this.#server = server;
    this.#target = target;
  }

  static async start(target: number): Promise<CuttableProxy> {
    const server = createServer();
    const proxy = new CuttableProxy(server, target);
    server.on('connection', (client) => proxy.#accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get base(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Sends new connections to another port. */
  retarget(port: number): void {
    this.#target = port;
  }

  /** While true, new connections are closed at once (a server that is down). */
  set refusing(value: boolean) {
    this.#refusing = value;
  }

  /** Cuts every connection that is carrying an SSE stream; returns how many. */
  cutStreams(): number {
    let cut = 0;
    for (const pair of this.#pairs) {
      if (!pair.streams) continue;
      pair.client.destroy();
      pair.upstream.destroy();
      cut++;
    }
    return cut;
  }

  /** Cuts every connection. */
  cutAll(): void {
    for (const pair of this.#pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
  }

  eventRequests(): { line: string; lastEventId?: string }[] {
    return this.requests.filter((r) => /\/events(\?|$)/.test(r.line));
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    if (this.#refusing) {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    const pair = { client, upstream, streams: false };
    this.#pairs.add(pair);
    const drop = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      for (const match of text.matchAll(/^(GET|POST|PUT|DELETE|HEAD|PATCH|OPTIONS) (\S+) HTTP\/1\.1\r\n([\s\S]*?)\r\n\r\n/gm)) {
        const lastEventId = /^last-event-id:\s*(.*)$/im.exec(match[3])?.[1]?.trim();
        this.requests.push({ line: `${match[1]} ${match[2]}`, ...(lastEventId !== undefined && { lastEventId }) });
        pair.streams = /\/events(\?|$)/.test(match[2]);
      }
    });
    client.on('error', drop);
    client.on('close', drop);
    upstream.on('error', drop);
    upstream.on('close', drop);
    // Writes to a socket still connecting are queued, so nothing the client sends first is lost.
    upstream.connect(this.#target, '127.0.0.1');
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

/** Polls until `check` returns a truthy value (or throws after `timeoutMs`). */
export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
