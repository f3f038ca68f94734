import { Type, type Static } from 'typebox';
import { cutAtCodePoint, defineTool, definePlugin, extensionPoints, problem, sdkError, ToolFailure, type Problem } from '../../core/index.js';
import { parseNetwork, type Network } from './address-guard.js';
import { parseAllowedHost, type AllowedHost } from './allowlist.js';
import { decodeBody, htmlTitle, htmlToText, looksBinary } from './content.js';
import { GuardedFetcher, systemResolver, type Resolver } from './guarded-fetch.js';

export { checkAddress, literalAddress, parseIPv4, parseIPv6, parseNetwork, type AddressVerdict, type Network } from './address-guard.js';
export { isAllowed, parseAllowedHost, type AllowedHost } from './allowlist.js';
export { GuardedFetcher, parseTarget, systemResolver, type FetchPolicy, type Resolver } from './guarded-fetch.js';

const MiB = 1024 * 1024;

export const HttpConfig = Type.Object(
  {
    allowHosts: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'Hosts http.fetch may reach: "example.com" (default ports), "example.com:8443", "*.example.com" (subdomains). Empty: every fetch is refused',
    }),
    allowPrivateAddresses: Type.Boolean({
      default: false,
      description: 'DANGEROUS, for tests only: also connect to loopback, private, link-local (cloud metadata) and other non-public addresses',
    }),
    allowNetworks: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'DANGEROUS: non-public networks to permit anyway, as CIDR ("10.1.2.0/24", "127.0.0.1/32"); for an intranet host or a test server',
    }),
    maxBytes: Type.Integer({ minimum: 1_024, maximum: 32 * MiB, default: MiB, description: 'Most body bytes read (after decompression); the rest is cut' }),
    maxTextChars: Type.Integer({ minimum: 1_000, maximum: 2_000_000, default: 100_000, description: 'Most characters of text returned to the model' }),
    timeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 15_000, description: 'Total time for one fetch, redirects and body included' }),
    maxRedirects: Type.Integer({ minimum: 0, maximum: 5, default: 5, description: 'Redirects followed, each checked again' }),
    userAgent: Type.String({ minLength: 1, maxLength: 200, default: 'agent-sdk/0.1 (http.fetch tool)', description: 'User-Agent header sent' }),
  },
  { additionalProperties: false },
);
export type HttpConfig = Static<typeof HttpConfig>;

/** Parses every allowHosts entry, reporting all bad ones at once. */
export function parseAllowHosts(entries: readonly string[], pluginId = 'tools-http'): AllowedHost[] {
  const hosts: AllowedHost[] = [];
  const problems: Problem[] = [];
  let first: { entry: string; reason: string } | undefined;
  entries.forEach((entry, index) => {
    const parsed = parseAllowedHost(entry);
    if ('error' in parsed) {
      first ??= { entry, reason: parsed.error };
      problems.push(problem('ASDK_TOOLS_HTTP_HOST_INVALID', { entry, reason: parsed.error }, { path: `${pluginId}.allowHosts[${index}]`, plugin: pluginId }));
    } else hosts.push(parsed);
  });
  if (first) throw sdkError('ASDK_TOOLS_HTTP_HOST_INVALID', first, { problems });
  return hosts;
}

/** Parses every allowNetworks entry, reporting all bad ones at once. */
export function parseAllowNetworks(entries: readonly string[], pluginId = 'tools-http'): Network[] {
  const networks: Network[] = [];
  const problems: Problem[] = [];
  entries.forEach((entry, index) => {
    const network = parseNetwork(entry);
    if (network) networks.push(network);
    else problems.push(problem('ASDK_TOOLS_HTTP_NETWORK_INVALID', { entry }, { path: `${pluginId}.allowNetworks[${index}]`, plugin: pluginId }));
  });
  if (problems.length) throw sdkError('ASDK_TOOLS_HTTP_NETWORK_INVALID', { entry: entries.find((e) => !parseNetwork(e)) }, { problems });
  return networks;
}

/** Builds `http.fetch` over a fetcher. */
export function httpFetchTool(fetcher: GuardedFetcher, config: HttpConfig) {
  return defineTool({
    name: 'http.fetch',
    version: '1.0.0',
    description:
      'Fetches a web page or text document by URL (GET, http or https) and returns it as readable text: HTML is converted to text with links kept, ' +
      'JSON and other text come back as is, binary files are refused. Only hosts on the operator\'s allowlist can be reached; if a host is refused, say so rather than retrying. ' +
      `Long pages are cut at ${config.maxTextChars} characters (truncated: true).`,
    input: Type.Object(
      { url: Type.String({ minLength: 1, maxLength: 2_048, description: 'Absolute http or https URL, e.g. "https://example.com/docs/page"' }) },
      { additionalProperties: false },
    ),
    output: Type.Object(
      {
        url: Type.String({ description: 'The final URL, after redirects' }),
        status: Type.Integer({ description: 'HTTP status of the final response' }),
        contentType: Type.String(),
        title: Type.Optional(Type.String()),
        text: Type.String(),
        truncated: Type.Boolean({ description: 'True when the body or the text was cut' }),
        bytes: Type.Integer({ description: 'Body bytes read' }),
        redirects: Type.Array(Type.String(), { description: 'Each URL redirected to, in order' }),
      },
      { additionalProperties: false },
    ),
    // The fetch's own timeout fires first, with a clearer message than the registry's.
    timeoutMs: config.timeoutMs + 2_000,
    capabilities: ['network'],
    async execute({ url }, context) {
      const timeout = AbortSignal.timeout(config.timeoutMs);
      const signal = AbortSignal.any([context.signal, timeout]);
      let response;
      try {
        response = await fetcher.fetch(url, signal);
      } catch (error) {
        if (timeout.aborted && !context.signal.aborted) throw new ToolFailure('HTTP_TIMEOUT', `${url} did not finish within ${config.timeoutMs} ms.`, { cause: error });
        throw error;
      }
      if (response.kind === 'unknown' && looksBinary(response.body)) {
        throw new ToolFailure('HTTP_BINARY', `${response.url} returned binary data without a content type; only HTML and text can be fetched.`);
      }
      const decoded = decodeBody(response.body, response.charset);
      const title = response.kind === 'html' ? htmlTitle(decoded) : undefined;
      let text = response.kind === 'html' ? htmlToText(decoded, response.url) : decoded;
      let truncated = response.truncated;
      if (text.length > config.maxTextChars) {
        text = cutAtCodePoint(text, config.maxTextChars);
        truncated = true;
      }
      return {
        url: response.url,
        status: response.status,
        contentType: response.contentType,
        ...(title ? { title } : {}),
        text,
        truncated,
        bytes: response.body.length,
        redirects: [...response.redirects],
      };
    },
  });
}

/**
 * Makes the http tool pack. `resolver` replaces DNS resolution (tests point names at fixed answers with it).
 *
 * @example
 * ```yaml
 * tools-http:
 *   allowHosts: [en.wikipedia.org, "*.example.com", "api.example.com:8443"]
 *   maxBytes: 524288
 * ```
 */
export function createHttpPlugin(options: { resolver?: Resolver } = {}) {
  // One fetcher per kernel: the kernel hands the same context to init and stop, and two kernels share nothing.
  const fetchers = new WeakMap<object, GuardedFetcher>();
  return definePlugin({
    id: 'tools-http',
    version: '1.0.0',
    description: 'http.fetch: GET allowlisted hosts at public addresses only, HTML as text',
    config: HttpConfig,
    init(context) {
      const { config, contribute, logger } = context;
      const allowHosts = parseAllowHosts(config.allowHosts);
      const allowNetworks = parseAllowNetworks(config.allowNetworks);
      if (config.allowPrivateAddresses) {
        logger.warn('tools-http.allowPrivateAddresses is on: http.fetch may reach loopback, private networks and cloud metadata. Use it for tests only.');
      } else if (allowNetworks.length) {
        logger.warn('tools-http.allowNetworks exempts non-public networks from the address guard', { networks: allowNetworks.map((n) => n.cidr) });
      }
      const fetcher = new GuardedFetcher({ ...config, allowHosts, allowNetworks }, options.resolver ?? systemResolver);
      fetchers.set(context, fetcher);
      contribute(extensionPoints.tools, httpFetchTool(fetcher, config));
    },
    stop(context) {
      fetchers.get(context)?.destroy();
      fetchers.delete(context);
    },
  });
}

/** The http tool pack with the system resolver. */
export const httpPlugin = createHttpPlugin();

export default httpPlugin;
