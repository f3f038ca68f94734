import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { DEFAULT_ORG_ID, sdkError } from '../../core/index.js';
import type { ApiKeyEntry } from './config.js';

/** Characters of a key kept in clear to tell keys apart in logs (never enough to use it). */
export const API_KEY_PREFIX_LENGTH = 8;

/** The first characters of a key: not secret, shown in logs and as the actor `key:<prefix>`. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX_LENGTH);
}

/**
 * The hash a key is held as (SHA-256, hex). Keys are long random secrets, so a fast hash is enough; the
 * admin API of multi-tenancy stores the same form in `api_keys.hash`.
 *
 * @example
 * ```ts
 * const record = { prefix: apiKeyPrefix(key), hash: hashApiKey(key) };
 * ```
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Who is calling: the org every query is scoped to, and the actor and scopes policies see. */
export interface Principal {
  readonly orgId: string;
  /** `key:<prefix>` or the key's configured name; `anonymous` on an open server. */
  readonly actor: string;
  readonly scopes: readonly string[];
  /** False on an open server (no keys configured). */
  readonly authenticated: boolean;
}

interface HeldKey {
  readonly prefix: string;
  readonly hash: Buffer;
  readonly principal: Principal;
}

/** Where the credentials were found, for messages. */
type Credentials = { readonly key: string; readonly header: 'Authorization' | 'X-API-Key' | 'hello.apiKey' };

const ANONYMOUS: Principal = Object.freeze({ orgId: DEFAULT_ORG_ID, actor: 'anonymous', scopes: Object.freeze(['admin']), authenticated: false });

/**
 * The API keys a server accepts, held as prefix + SHA-256 only. A presented key is hashed and compared with
 * every held hash in constant time (no early exit), so timing tells nothing about which bytes matched.
 */
export class ApiKeyVerifier {
  readonly #keys: readonly HeldKey[];

  constructor(entries: readonly ApiKeyEntry[]) {
    this.#keys = entries.map((entry) => {
      const spec = typeof entry === 'string' ? { key: entry } : entry;
      const prefix = apiKeyPrefix(spec.key);
      return {
        prefix,
        hash: Buffer.from(hashApiKey(spec.key), 'hex'),
        principal: Object.freeze({
          orgId: spec.orgId ?? DEFAULT_ORG_ID,
          actor: spec.name ?? `key:${prefix}`,
          scopes: Object.freeze([...(spec.scopes ?? ['admin'])]),
          authenticated: true,
        }),
      };
    });
  }

  /** Whether requests must carry a key: true as soon as one key is configured. */
  get required(): boolean {
    return this.#keys.length > 0;
  }

  /** The principal of an HTTP request; throws ASDK_AUTH_REQUIRED / ASDK_AUTH_INVALID_KEY (401). */
  authenticateHeaders(headers: IncomingHttpHeaders): Principal {
    if (!this.required) return ANONYMOUS;
    const credentials = credentialsFrom(headers);
    if (!credentials) throw sdkError('ASDK_AUTH_REQUIRED');
    return this.authenticate(credentials);
  }

  /** Like authenticateHeaders, for a key given some other way (the gateway's hello frame). */
  authenticateKey(key: string | undefined, header: Credentials['header']): Principal {
    if (!this.required) return ANONYMOUS;
    if (key === undefined || key === '') throw sdkError('ASDK_AUTH_REQUIRED');
    return this.authenticate({ key, header });
  }

  /** Whether the headers carry any credentials at all (the gateway also accepts them in hello). */
  static hasCredentials(headers: IncomingHttpHeaders): boolean {
    return headers.authorization !== undefined || headers['x-api-key'] !== undefined;
  }

  authenticate(credentials: Credentials): Principal {
    const presented = Buffer.from(hashApiKey(credentials.key), 'hex');
    let found: HeldKey | undefined;
    for (const held of this.#keys) {
      // Every held key is compared, whatever matched before.
      if (timingSafeEqual(held.hash, presented) && !found) found = held;
    }
    if (!found) throw sdkError('ASDK_AUTH_INVALID_KEY', { header: credentials.header });
    return found.principal;
  }
}

/** `Authorization: Bearer <key>` first, else `X-API-Key: <key>`; a malformed Authorization header is refused. */
function credentialsFrom(headers: IncomingHttpHeaders): Credentials | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (!match) {
      throw sdkError('ASDK_AUTH_INVALID_KEY', { header: 'Authorization' }, { hint: 'Write the header as `Authorization: Bearer <key>` (other schemes are not accepted).' });
    }
    return { key: match[1], header: 'Authorization' };
  }
  const apiKey = headers['x-api-key'];
  if (apiKey === undefined) return undefined;
  const key = (Array.isArray(apiKey) ? apiKey[0] : apiKey).trim();
  return key ? { key, header: 'X-API-Key' } : undefined;
}
