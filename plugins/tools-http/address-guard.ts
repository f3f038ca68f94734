import { isIP } from 'node:net';

/** What the guard decided about one IP address. */
export type AddressVerdict =
  | { readonly allowed: true; readonly address: string; readonly family: 4 | 6 }
  | { readonly allowed: false; readonly address: string; readonly reason: string };

interface Block {
  readonly network: bigint;
  readonly bits: number;
  readonly width: 32 | 128;
  readonly reason: string;
  /** For IPv6 forms that carry an IPv4 address in their last 32 bits (or, for 6to4, bits 16-47). */
  readonly embeds?: 'low32' | '6to4' | 'teredo';
}

function block(cidr: string, reason: string, embeds?: Block['embeds']): Block {
  const [address, bits] = cidr.split('/');
  const parsed = isIP(address) === 4 ? parseIPv4(address) : parseIPv6(address);
  if (parsed === undefined) throw new Error(`bad CIDR ${cidr}`);
  return { network: parsed, bits: Number(bits), width: isIP(address) === 4 ? 32 : 128, reason, embeds };
}

/**
 * IPv4 ranges that are not public unicast (IANA IPv4 Special-Purpose Address Registry, RFC 1918, RFC 6598,
 * multicast and class E), plus cloud endpoints that sit in public space.
 */
const IPV4_BLOCKS: readonly Block[] = [
  block('0.0.0.0/8', '"this network" (0.0.0.0/8, includes the unspecified address)'),
  block('10.0.0.0/8', 'private (10.0.0.0/8, RFC 1918)'),
  block('100.64.0.0/10', 'carrier-grade NAT (100.64.0.0/10)'),
  block('127.0.0.0/8', 'loopback (127.0.0.0/8)'),
  block('169.254.0.0/16', 'link-local (169.254.0.0/16, where cloud metadata services live)'),
  block('172.16.0.0/12', 'private (172.16.0.0/12, RFC 1918)'),
  block('192.0.0.0/24', 'IETF protocol assignments (192.0.0.0/24)'),
  block('192.0.2.0/24', 'documentation (192.0.2.0/24)'),
  block('192.88.99.0/24', 'deprecated 6to4 relay anycast (192.88.99.0/24)'),
  block('192.168.0.0/16', 'private (192.168.0.0/16, RFC 1918)'),
  block('198.18.0.0/15', 'benchmarking (198.18.0.0/15)'),
  block('198.51.100.0/24', 'documentation (198.51.100.0/24)'),
  block('203.0.113.0/24', 'documentation (203.0.113.0/24)'),
  block('224.0.0.0/4', 'multicast (224.0.0.0/4)'),
  block('240.0.0.0/4', 'reserved (240.0.0.0/4, includes broadcast 255.255.255.255)'),
  block('168.63.129.16/32', 'a cloud platform endpoint (Azure host services, 168.63.129.16)'),
];

/**
 * IPv6 ranges that are not public unicast (IANA IPv6 Special-Purpose Address Registry and address space),
 * most specific first. Every form that embeds an IPv4 address is refused outright, whatever it embeds.
 */
const IPV6_BLOCKS: readonly Block[] = [
  block('::/128', 'unspecified (::)'),
  block('::1/128', 'loopback (::1)'),
  block('::ffff:0:0/96', 'IPv4-mapped (::ffff:0:0/96)', 'low32'),
  block('::ffff:0:0:0/96', 'IPv4-translated (::ffff:0:0:0/96)', 'low32'),
  block('::/96', 'IPv4-compatible (::/96, deprecated)', 'low32'),
  block('64:ff9b::/96', 'NAT64 (64:ff9b::/96)', 'low32'),
  block('64:ff9b:1::/48', 'local-use NAT64 (64:ff9b:1::/48)', 'low32'),
  block('100::/64', 'discard-only (100::/64)'),
  block('2001::/32', 'Teredo (2001::/32)', 'teredo'),
  block('2001:db8::/32', 'documentation (2001:db8::/32)'),
  block('2001::/23', 'IETF protocol assignments (2001::/23)'),
  block('2002::/16', '6to4 (2002::/16)', '6to4'),
  block('3fff::/20', 'documentation (3fff::/20)'),
  block('5f00::/16', 'SRv6 segment identifiers (5f00::/16)'),
  block('fc00::/7', 'unique local, i.e. private (fc00::/7)'),
  block('fe80::/10', 'link-local (fe80::/10)'),
  block('fec0::/10', 'site-local (fec0::/10, deprecated)'),
  block('ff00::/8', 'multicast (ff00::/8)'),
];
const GLOBAL_UNICAST_V6 = block('2000::/3', '');

/** Strict dotted-decimal IPv4 (what URL normalisation and getaddrinfo produce) as a 32-bit number. */
export function parseIPv4(text: string): bigint | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  let value = 0n;
  for (const part of m.slice(1)) {
    if (part.length > 1 && part.startsWith('0')) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

/** Any valid IPv6 text (zero compression, upper case, embedded dotted IPv4, zone id) as a 128-bit number. */
export function parseIPv6(text: string): bigint | undefined {
  let input = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIP(input) !== 6) return undefined;
  input = input.replace(/%.*$/, '');
  let groups: number[] = [];
  const tailV4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(input);
  if (tailV4) {
    const v4 = parseIPv4(tailV4[1]);
    if (v4 === undefined) return undefined;
    input = `${input.slice(0, -tailV4[1].length)}${(Number(v4 >> 16n) & 0xffff).toString(16)}:${(Number(v4) & 0xffff).toString(16)}`;
  }
  const halves = input.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail].map((g) => parseInt(g, 16));
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g) || g < 0 || g > 0xffff)) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

function inBlock(value: bigint, b: Block): boolean {
  const shift = BigInt(b.width - b.bits);
  return value >> shift === b.network >> shift;
}

function formatIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
}

function embeddedIPv4(value: bigint, kind: NonNullable<Block['embeds']>): string {
  if (kind === 'low32') return formatIPv4(value & 0xffffffffn);
  if (kind === '6to4') return formatIPv4((value >> 80n) & 0xffffffffn);
  return formatIPv4(~value & 0xffffffffn); // Teredo: the client address is stored inverted in the last 32 bits
}

/**
 * Decides whether an address may be connected to: only public unicast passes. Anything that does not parse
 * as a canonical IP address is refused too (it could be read differently by whatever connects).
 *
 * @example
 * ```ts
 * checkAddress('93.184.216.34').allowed;          // true
 * checkAddress('::ffff:7f00:1');                  // { allowed: false, reason: 'IPv4-mapped (...) embedding 127.0.0.1' }
 * ```
 */
export function checkAddress(address: string): AddressVerdict {
  const v4 = parseIPv4(address);
  if (v4 !== undefined) {
    const hit = IPV4_BLOCKS.find((b) => inBlock(v4, b));
    return hit ? { allowed: false, address, reason: hit.reason } : { allowed: true, address, family: 4 };
  }
  const v6 = parseIPv6(address);
  if (v6 === undefined) return { allowed: false, address, reason: 'not a canonical IP address' };
  const hit = IPV6_BLOCKS.find((b) => inBlock(v6, b));
  if (hit) return { allowed: false, address, reason: hit.embeds ? `${hit.reason}, embedding the IPv4 address ${embeddedIPv4(v6, hit.embeds)}` : hit.reason };
  if (!inBlock(v6, GLOBAL_UNICAST_V6)) return { allowed: false, address, reason: 'outside global unicast (2000::/3), reserved by the IETF' };
  return { allowed: true, address, family: 6 };
}

/** A network an operator exempts from the guard, e.g. `10.1.2.0/24` or `127.0.0.1/32`. */
export interface Network {
  readonly cidr: string;
  readonly matches: (address: string) => boolean;
}

/** Parses `address/bits` (IPv4 or IPv6); a bare address means that one address. Undefined when invalid. */
export function parseNetwork(cidr: string): Network | undefined {
  const [address, bitsText, extra] = cidr.trim().split('/');
  if (extra !== undefined) return undefined;
  const family = isIP(address);
  const width = family === 4 ? 32 : 128;
  const value = family === 4 ? parseIPv4(address) : family === 6 ? parseIPv6(address) : undefined;
  if (value === undefined) return undefined;
  const bits = bitsText === undefined ? width : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (!(bits >= 0 && bits <= width)) return undefined;
  const b: Block = { network: value, bits, width: width as 32 | 128, reason: '' };
  return {
    cidr: `${address}/${bits}`,
    matches: (candidate) => {
      const parsed = family === 4 ? parseIPv4(candidate) : parseIPv6(candidate);
      return parsed !== undefined && inBlock(parsed, b);
    },
  };
}

/**
 * The IP address a URL's host denotes, if it is a literal, after WHATWG URL normalisation: `http://2130706433/`,
 * `http://0x7f.1/`, `http://0177.0.0.1/` and `http://127.1/` all have the hostname `127.0.0.1`, and
 * `http://[::FFFF:127.0.0.1]/` has `[::ffff:7f00:1]`. Undefined for a DNS name.
 */
export function literalAddress(url: URL): string | undefined {
  const host = url.hostname;
  if (host.startsWith('[') && host.endsWith(']')) return host.slice(1, -1);
  return isIP(host) === 4 ? host : undefined;
}
