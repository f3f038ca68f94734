import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupAddress } from 'node:dns';
import type { Socket } from 'node:net';
import { pipeline } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { cutAtCodePoint, ToolFailure } from '../../core/index.js';
import { checkAddress, literalAddress, type Network } from './address-guard.js';
import { isAllowed, type AllowedHost } from './allowlist.js';
import { classifyContent, parseContentType, type ContentKind } from './content.js';

/** Resolves a host name to addresses; the default is the system resolver (dns.lookup, all answers). */
export type Resolver = (hostname: string) => Promise<readonly LookupAddress[]>;

export interface FetchPolicy {
  readonly allowHosts: readonly AllowedHost[];
  /** DANGEROUS, for tests against a local server: lets every non-public address through. */
  readonly allowPrivateAddresses: boolean;
  /** Non-public networks exempted one by one (an intranet server, or 127.0.0.1/32 in tests). */
  readonly allowNetworks?: readonly Network[];
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly maxRedirects: number;
  readonly userAgent: string;
}

export interface FetchedResponse {
  readonly url: string;
  readonly status: number;
  readonly contentType: string;
  readonly charset?: string;
  readonly kind: ContentKind;
  readonly body: Buffer;
  readonly truncated: boolean;
  readonly redirects: readonly string[];
  /** The address actually connected to for the final response. */
  readonly remoteAddress: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

function refused(code: string, message: string): ToolFailure {
  return new ToolFailure(code, message);
}

/**
 * HTTP GET with every hop checked: scheme, allowlist, and the address actually connected to (the lookup
 * is done inside the connection, through the agents' `lookup`, so a DNS answer cannot change between the
 * check and the connect; literal addresses are checked before, and the socket's peer again after connecting).
 */
export class GuardedFetcher {
  readonly #policy: FetchPolicy;
  readonly #resolve: Resolver;
  readonly #http: http.Agent;
  readonly #https: https.Agent;

  constructor(policy: FetchPolicy, resolve: Resolver = systemResolver) {
    this.#policy = policy;
    this.#resolve = resolve;
    const lookup = this.#lookup.bind(this);
    this.#http = new http.Agent({ keepAlive: false, lookup } as http.AgentOptions);
    this.#https = new https.Agent({ keepAlive: false, lookup } as https.AgentOptions);
  }

  /** Closes pooled sockets (the plugin's stop). */
  destroy(): void {
    this.#http.destroy();
    this.#https.destroy();
  }

  /** The verdict on an address under this policy: public unicast, or anything when private addresses are allowed. */
  verdict(address: string) {
    const verdict = checkAddress(address);
    if (verdict.allowed) return verdict;
    if (this.#policy.allowPrivateAddresses || this.#policy.allowNetworks?.some((network) => network.matches(address))) {
      return { allowed: true as const, address, family: (address.includes(':') ? 6 : 4) as 4 | 6 };
    }
    return verdict;
  }

  async fetch(rawUrl: string, signal: AbortSignal): Promise<FetchedResponse> {
    let url = parseTarget(rawUrl);
    const redirects: string[] = [];
    for (;;) {
      this.#checkTarget(url);
      const response = await this.#request(url, signal);
      const location = response.headers.location;
      if (REDIRECTS.has(response.statusCode ?? 0) && location) {
        response.destroy();
        if (redirects.length >= this.#policy.maxRedirects) {
          throw refused('HTTP_TOO_MANY_REDIRECTS', `${rawUrl} redirected more than ${this.#policy.maxRedirects} times (the last redirect came from ${url.href}).`);
        }
        url = parseTarget(location, url);
        redirects.push(url.href);
        continue;
      }
      const { type, charset } = parseContentType(response.headers['content-type']);
      const kind = classifyContent(type);
      const remoteAddress = response.socket?.remoteAddress ?? '';
      if (kind === 'binary') {
        response.destroy();
        throw refused('HTTP_BINARY', `${url.href} returned ${type}, which is not text; only HTML and text responses can be fetched.`);
      }
      const { body, truncated } = await readCapped(response, this.#policy.maxBytes, signal);
      return { url: url.href, status: response.statusCode ?? 0, contentType: type, charset, kind, body, truncated, redirects, remoteAddress };
    }
  }

  #checkTarget(url: URL): void {
    if (!isAllowed(url, this.#policy.allowHosts)) {
      const hostPort = url.port ? `${url.hostname}:${url.port}` : url.hostname;
      const configured = this.#policy.allowHosts.length
        ? `Allowed hosts: ${this.#policy.allowHosts.map((h) => `${h.subdomains ? '*.' : ''}${h.host}${h.port ? `:${h.port}` : ''}`).join(', ')}.`
        : 'No host is allowed yet.';
      throw refused(
        'HTTP_HOST_NOT_ALLOWED',
        `${hostPort} is not on the allowlist of http.fetch. ${configured} An operator can allow it by adding "${hostPort}" to tools-http.allowHosts in the config file.`,
      );
    }
    const literal = literalAddress(url);
    if (literal !== undefined) {
      const verdict = this.verdict(literal);
      if (!verdict.allowed) throw refused('HTTP_ADDRESS_BLOCKED', `${url.hostname} is ${verdict.reason}; http.fetch only connects to public addresses.`);
    }
  }

  /** The agents' lookup: resolve, refuse the whole answer if any address is not public, then connect to what was checked. */
  #lookup(hostname: string, options: { family?: number; all?: boolean }, callback: (...args: any[]) => void): void {
    this.#resolve(hostname).then(
      (answers) => {
        if (!answers.length) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }));
        for (const answer of answers) {
          const verdict = this.verdict(answer.address);
          if (!verdict.allowed) {
            return callback(refused('HTTP_ADDRESS_BLOCKED', `${hostname} resolves to ${answer.address}, which is ${verdict.reason}; http.fetch only connects to public addresses.`));
          }
        }
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = family ? answers.filter((a) => a.family === family) : [...answers];
        if (!usable.length) return callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }));
        if (options.all) callback(null, usable);
        else callback(null, usable[0].address, usable[0].family);
      },
      (error) => callback(error),
    );
  }

  #request(url: URL, signal: AbortSignal): Promise<IncomingMessage> {
    const secure = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const request = (secure ? https : http).request(url, {
        method: 'GET',
        agent: secure ? this.#https : this.#http,
        signal,
        headers: {
          'user-agent': this.#policy.userAgent,
          accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,application/json;q=0.9,text/*;q=0.8,*/*;q=0.1',
          'accept-encoding': 'gzip, deflate, br',
        },
      });
      // Second line of defence: whatever path led here, the peer of the socket must pass the guard.
      request.on('socket', (socket: Socket) => {
        const check = () => {
          const address = socket.remoteAddress;
          const verdict = address ? this.verdict(address) : undefined;
          if (!verdict?.allowed) request.destroy(refused('HTTP_ADDRESS_BLOCKED', `${url.hostname} connected to ${address ?? 'an unknown address'}, which is ${verdict && !verdict.allowed ? verdict.reason : 'not verifiable'}.`));
        };
        if (socket.remoteAddress) check();
        else socket.once('connect', check);
      });
      request.once('response', resolve);
      request.once('error', (error: NodeJS.ErrnoException) => {
        if (error instanceof ToolFailure || signal.aborted) return reject(error instanceof ToolFailure ? error : signal.reason ?? error);
        const what = error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN' ? `${url.hostname} could not be resolved` : `the connection to ${url.host} failed (${error.code ?? error.message})`;
        reject(new ToolFailure('HTTP_CONNECTION_FAILED', `${what}.`, { cause: error }));
      });
      request.end();
    });
  }
}

/** Parses a URL (relative to `base` for redirects) and refuses schemes other than http and https, and credentials. */
export function parseTarget(raw: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw refused('HTTP_INVALID_URL', `${JSON.stringify(cutAtCodePoint(raw, 200))} is not a valid URL; write an absolute http or https URL such as "https://example.com/page".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw refused('HTTP_SCHEME', `${url.protocol.replace(/:$/, '')} URLs cannot be fetched${base ? ` (a redirect pointed to ${url.protocol}...)` : ''}; only http and https.`);
  }
  if (url.username || url.password) throw refused('HTTP_INVALID_URL', 'URLs with credentials (user:password@) are refused; the tool sends no credentials.');
  url.hash = '';
  return url;
}

function decoderFor(encoding: string | undefined) {
  switch ((encoding ?? 'identity').trim().toLowerCase()) {
    case 'identity':
    case '':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      throw refused('HTTP_UNSUPPORTED_ENCODING', `The response uses the content encoding "${encoding}", which the tool cannot decode.`);
  }
}

/** Reads at most `maxBytes` of the decoded body (a compressed bomb stops at the cap too), then hangs up. */
async function readCapped(response: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<{ body: Buffer; truncated: boolean }> {
  let decoder;
  try {
    decoder = decoderFor(response.headers['content-encoding']);
  } catch (error) {
    response.destroy();
    throw error;
  }
  // pipeline, not pipe: a response that errors or closes early must fail the decoder too, or the read below
  // waits for the whole timeout. Its callback is not needed: the same error reaches the read.
  const source = decoder ? pipeline(response, decoder, ignore) : response;
  const chunks: Buffer[] = [];
  let total = 0;
  let truncated = false;
  const onAbort = () => source.destroy(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    // Read one chunk past the cap at most: that is how an exact fit is told apart from a longer body.
    for await (const chunk of source as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      total += chunk.length;
      if (total > maxBytes) {
        truncated = true;
        break;
      }
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof ToolFailure) throw error;
    throw new ToolFailure('HTTP_CONNECTION_FAILED', `Reading the response failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { cause: error });
  } finally {
    signal.removeEventListener('abort', onAbort);
    response.destroy();
    if (decoder) decoder.destroy();
  }
  return { body: Buffer.concat(chunks, total).subarray(0, maxBytes), truncated };
}

function ignore(): void {}
