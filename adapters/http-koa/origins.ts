import { isIP } from 'node:net';

/** Whether a listen address only accepts connections from this machine. */
export function isLoopbackAddress(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h) || h === '0:0:0:0:0:0:0:1';
  return false;
}

/** The host name of a Host header value (`localhost:8787`, `[::1]:8787`), without the port. */
export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1 || undefined);
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

/**
 * Decides which browser origins may call the server: its own origin (the Origin's host equals the Host
 * header) and those listed in server.allowedOrigins. Requests without an Origin header (curl, SDKs) are
 * not browser requests and pass.
 */
export class OriginPolicy {
  readonly #allowed: ReadonlySet<string>;

  constructor(allowedOrigins: readonly string[]) {
    this.#allowed = new Set(allowedOrigins.map(normalizeOrigin));
  }

  /** `same`: the server's own origin; `allowed`: listed; `refused`: any other. */
  classify(origin: string, hostHeader: string | undefined): 'same' | 'allowed' | 'refused' {
    const normalized = normalizeOrigin(origin);
    if (normalized !== 'null' && hostHeader) {
      try {
        if (new URL(normalized).host === hostHeader.trim().toLowerCase()) return 'same';
      } catch {
        // not a URL: only an exact entry in allowedOrigins can accept it
      }
    }
    return this.#allowed.has(normalized) ? 'allowed' : 'refused';
  }
}

function normalizeOrigin(origin: string): string {
  const trimmed = origin.trim().toLowerCase();
  if (trimmed === 'null') return trimmed;
  try {
    return new URL(trimmed).origin;
  } catch {
    return trimmed;
  }
}
