import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { WebSocket } from 'ws';
import { contribution, definePlugin, definePreset, extensionPoints, ports, type EventEnvelope, type Kernel, type Plugin } from '../../../core/index.js';
import { serverPlugin } from '../../../adapters/http-koa/index.js';
import { calculatorPlugin } from '../../../plugins/tools-calculator/index.js';
import { startTestKernel, type ScriptedModel } from '../../../testing.js';
import { Type } from 'typebox';

const gates = new Map<string, { promise: Promise<void>; open: () => void }>();

/** A named gate a `paced` model waits on before its first delta; `openGate(name)` lets it go. */
export function gate(name: string): { open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  gates.set(name, { promise, open });
  return { open };
}

/**
 * A model provider for stream tests: `deltas` text deltas of `size` characters, `delayMs` apart, after an
 * optional gate; then it finishes. Configure as `models: { default: { provider: 'paced', deltas: 50 } }`.
 */
export const pacedModelPlugin = definePlugin({
  id: 'test-paced-model',
  version: '1.0.0',
  contributes: [
    contribution(extensionPoints.modelProviders, {
      name: 'paced',
      optionsSchema: Type.Object({
        deltas: Type.Integer({ default: 20 }),
        delayMs: Type.Integer({ default: 0 }),
        size: Type.Integer({ default: 8 }),
        gate: Type.Optional(Type.String()),
      }),
      create: (options: { deltas: number; delayMs: number; size: number; gate?: string }) => ({
        id: 'test/paced',
        async *stream(request) {
          if (options.gate) await gates.get(options.gate)?.promise;
          for (let i = 0; i < options.deltas; i++) {
            if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
            if (request.signal?.aborted) throw new Error('aborted');
            yield { type: 'text' as const, text: `${String(i).padStart(4, '0')}${'x'.repeat(Math.max(0, options.size - 5))} ` };
          }
          yield { type: 'usage' as const, usage: { inputTokens: 1, outputTokens: options.deltas } };
          yield { type: 'finish' as const, reason: 'stop' as const };
        },
      }),
    }),
  ],
});

/** Presets the server tests run: the offline model answers arithmetic with the calculator. */
export const testPresetsPlugin = definePlugin({
  id: 'test-presets',
  version: '1.0.0',
  contributes: [
    contribution(
      extensionPoints.presets,
      definePreset({ name: 'calc', description: 'Arithmetic with the calculator', instructions: 'Use the calculator.', tools: ['calculator'] }),
      definePreset({ name: 'plain', description: 'No tools', instructions: 'Be brief.' }),
    ),
  ],
});

export interface TestServer {
  readonly kernel: Kernel;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * A kernel with the server on an ephemeral port (responses checked against their schemas), the runtime on
 * in-memory storage (unless a plugin provides storage), the calculator and two presets.
 */
export async function startServer(
  options: { server?: Record<string, unknown>; plugins?: Plugin[]; config?: Record<string, unknown>; model?: ScriptedModel; env?: Record<string, string> } = {},
): Promise<TestServer> {
  const kernel = await startTestKernel({
    plugins: [calculatorPlugin, testPresetsPlugin, serverPlugin, ...(options.plugins ?? [])],
    config: { ...options.config, server: { port: 0, validateResponses: true, ...options.server } },
    ...(options.model && { model: options.model }),
    env: options.env ?? {},
  });
  const base = kernel.get(ports.transport).find((t) => t.name === 'http')!.address()!;
  return { kernel, base, port: Number(new URL(base).port), stop: () => kernel.stop() };
}

export async function postJson(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** One parsed SSE event (or comment). */
export interface SseEvent {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  readonly comment?: string;
  readonly retry?: number;
}

/** The envelope of an SSE event. */
export function envelopeOf(event: SseEvent): EventEnvelope {
  return JSON.parse(event.data!) as EventEnvelope;
}

/**
 * An SSE client on a raw HTTP request, so a test controls reading: it can stop reading (a slow client),
 * cut the connection, or wait for a number of events.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  response!: IncomingMessage;
  status = 0;
  ended = false;
  #buffer = '';
  #waiters: (() => void)[] = [];
  #req: ReturnType<typeof httpRequest> | undefined;

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    await client.#open(url, headers);
    return client;
  }

  #open(url: string, headers: Record<string, string>): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        this.response = res;
        this.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.#feed(chunk));
        res.on('end', () => this.#end());
        res.on('close', () => this.#end());
        res.on('error', () => this.#end());
        resolve();
      });
      req.on('error', (error) => (this.response ? this.#end() : reject(error)));
      req.end();
      this.#req = req;
    });
  }

  /** Events that carry an envelope (not comments, retry or server notices). */
  get envelopes(): EventEnvelope[] {
    return this.events.filter((e) => e.id !== undefined && e.data !== undefined).map(envelopeOf);
  }

  /** Waits until `predicate` holds on the events received, or the stream ends (then fails if it does not). */
  async until(predicate: (events: SseEvent[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (this.ended) throw new Error(`the stream ended before the condition held (${this.events.length} events)`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms with ${this.events.length} events`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the server to end the stream. */
  async done(timeoutMs = 10_000): Promise<SseEvent[]> {
    await this.until(() => this.ended, timeoutMs).catch((error: Error) => {
      if (!this.ended) throw error;
    });
    return this.events;
  }

  /** Stops reading (the socket's buffers fill up: a slow client). */
  pause(): void {
    this.response.pause();
  }

  resume(): void {
    this.response.resume();
  }

  /** Cuts the connection, as a client whose network dropped. */
  cut(): void {
    this.#req?.destroy();
    this.response?.destroy();
  }

  #feed(chunk: string): void {
    // Search only what arrived since the last search (large events come in many chunks).
    let from = Math.max(0, this.#buffer.length - 1);
    this.#buffer += chunk;
    let boundary: number;
    while ((boundary = this.#buffer.indexOf('\n\n', from)) !== -1) {
      from = 0;
      const block = this.#buffer.slice(0, boundary);
      this.#buffer = this.#buffer.slice(boundary + 2);
      const event: Record<string, string | number> = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) event.comment = line.slice(1).trim();
        else {
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'retry') event.retry = Number(value);
          else event[field] = value;
        }
      }
      this.events.push(event as SseEvent);
    }
    this.#wake();
  }

  #end(): void {
    this.ended = true;
    this.#wake();
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

/** Sends raw bytes to the server and returns what it answered (until it closes, or `timeoutMs`). */
export function rawRequest(port: number, bytes: string | Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(answer);
    }, timeoutMs);
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (answer) resolve(answer);
      else reject(error);
    });
    socket.write(bytes);
  });
}

/** Status code of a raw HTTP answer. */
export function statusOf(answer: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A gateway client for tests: every frame received, requests by id, waits on conditions. */
export class GatewayClient {
  readonly frames: Record<string, any>[] = [];
  closeCode: number | undefined;
  closeReason = '';
  #ws: WebSocket;
  #nextId = 1;
  #waiters: (() => void)[] = [];

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)));
      this.#wake();
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = String(reason);
      this.#wake();
    });
    ws.on('error', () => this.#wake());
  }

  /** Opens a socket (no hello sent). Rejects with the HTTP status when the handshake is refused. */
  static connect(base: string, options: { headers?: Record<string, string>; origin?: string; maxPayload?: number } = {}): Promise<GatewayClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws`, { headers: options.headers, origin: options.origin });
      const client = new GatewayClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`handshake refused: ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  /** Connects and says hello; resolves with the welcome frame. */
  static async open(base: string, options: { apiKey?: string; headers?: Record<string, string> } = {}): Promise<{ client: GatewayClient; welcome: Record<string, any> }> {
    const client = await GatewayClient.connect(base, { headers: options.headers });
    client.sendFrame({ type: 'hello', protocol: 1, ...(options.apiKey && { apiKey: options.apiKey }) });
    const welcome = await client.next((f) => f.type === 'welcome' || f.type === 'error');
    return { client, welcome };
  }

  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  sendFrame(frame: unknown): void {
    this.#ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.#ws.send(data, { binary });
  }

  /** Sends a req and resolves with its res frame. */
  async request(method: string, params?: unknown): Promise<Record<string, any>> {
    const id = this.#nextId++;
    this.sendFrame({ type: 'req', id, method, ...(params !== undefined && { params }) });
    return this.next((f) => f.type === 'res' && f.id === id);
  }

  /** Event frames of a subscription, as envelopes. */
  envelopes(sub: string): EventEnvelope[] {
    return this.frames.filter((f) => f.type === 'event' && f.sub === sub).map((f) => f.envelope as EventEnvelope);
  }

  /** The end frame of a subscription, once it came. */
  endOf(sub: string): Record<string, any> | undefined {
    return this.frames.find((f) => f.type === 'end' && f.sub === sub);
  }

  /** The first frame (seen or to come) matching `predicate`. */
  async next(predicate: (frame: Record<string, any>) => boolean, timeoutMs = 10_000): Promise<Record<string, any>> {
    await this.until(() => this.frames.some(predicate), timeoutMs);
    return this.frames.find(predicate)!;
  }

  async until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (this.closeCode !== undefined) throw new Error(`the socket closed (${this.closeCode} ${this.closeReason}) before the condition held`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms (${this.frames.length} frames)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves with the close code once the server closed the socket. */
  async closed(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === undefined) {
      if (Date.now() > deadline) throw new Error('the socket did not close');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.closeCode;
  }

  pause(): void {
    this.#ws.pause();
  }

  resume(): void {
    this.#ws.resume();
  }

  close(): void {
    this.#ws.close();
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
