import { isIP } from 'node:net';

/** One parsed `allowHosts` entry. */
export interface AllowedHost {
  /** Normalised like a URL's hostname: lower case, punycode, IPv6 in brackets, no trailing dot. */
  readonly host: string;
  /** True for `*.example.com`: subdomains of `host`, not `host` itself. */
  readonly subdomains: boolean;
  /** Undefined: the scheme's default port only (80 for http, 443 for https). */
  readonly port?: number;
}

const ENTRY = /^(\*\.)?(\[[0-9A-Fa-f:.]+\]|[^\s:/?#@[\]\\]+)(?::(\d{1,5}))?$/;

/** Lower case, punycode, IPv4 spellings normalised, trailing dot dropped: the way URLs are compared. */
export function normaliseHost(hostname: string): string {
  return hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
}

/**
 * Parses an allowlist entry: `example.com`, `example.com:8443`, `*.example.com`, `[2001:db8::1]:443`.
 * Returns a reason when the entry is not one.
 */
export function parseAllowedHost(entry: string): AllowedHost | { error: string } {
  const m = ENTRY.exec(entry.trim());
  if (!m) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) return { error: 'it has a scheme; write the host alone' };
    if (/[/?#@]/.test(entry)) return { error: 'it has a path, query or credentials; write the host alone' };
    return { error: 'expected host or host:port' };
  }
  const [, wildcard, rawHost, rawPort] = m;
  let host: string;
  try {
    host = normaliseHost(new URL(`http://${rawHost}/`).hostname);
  } catch {
    return { error: 'the host is not a valid name or address' };
  }
  if (!host) return { error: 'the host is empty' };
  const literal = isIP(host.replace(/^\[|\]$/g, '')) !== 0;
  // "*" alone would silently match only a host literally named "*": refuse it rather than let it look like "any".
  if (!literal && !/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(host)) {
    return { error: host.includes('*') ? 'wildcards are only allowed as a leading "*." (there is no allow-all)' : 'expected host or host:port' };
  }
  if (wildcard && literal) return { error: 'a wildcard applies to domain names, not to addresses' };
  if (wildcard && !host.includes('.')) return { error: 'a wildcard needs a domain with at least two labels, e.g. "*.example.com"' };
  if (rawPort !== undefined) {
    const port = Number(rawPort);
    if (port < 1 || port > 65_535) return { error: `port ${rawPort} is out of range` };
    return { host, subdomains: Boolean(wildcard), port };
  }
  return { host, subdomains: Boolean(wildcard) };
}

export function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

/** Whether a URL (already parsed by the WHATWG parser) is on the allowlist. */
export function isAllowed(url: URL, allowlist: readonly AllowedHost[]): boolean {
  const host = normaliseHost(url.hostname);
  const port = url.port ? Number(url.port) : defaultPort(url.protocol);
  return allowlist.some(
    (entry) =>
      (entry.subdomains ? host.endsWith(`.${entry.host}`) : host === entry.host) && (entry.port === undefined ? port === defaultPort(url.protocol) : port === entry.port),
  );
}
