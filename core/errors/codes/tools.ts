import type { ErrorSpec } from '../registry.js';

/**
 * Codes raised by the built-in tool packs when their configuration cannot work. (What a tool reports to the
 * model during a run is a ToolFailure code such as FS_OUTSIDE_ROOT, listed in docs/tools.md.)
 */
export const toolErrors = {
  ASDK_TOOLS_FS_ROOT_INVALID: {
    status: 500,
    message: 'The filesystem tools cannot use {root} as their workspace root: {reason}',
    hint: 'Set tools-filesystem.root to a directory the server may create and write, or remove it to use <kernel.dataDir>/workspace.',
  },
  ASDK_TOOLS_HTTP_HOST_INVALID: {
    status: 500,
    message: 'tools-http.allowHosts entry "{entry}" is not a host: {reason}',
    hint: 'Write a host name, optionally with a port: "example.com", "docs.example.com:8443", "*.example.com" (its subdomains) or "[2001:db8::1]:443"; no scheme, path or credentials.',
  },
  ASDK_TOOLS_HTTP_NETWORK_INVALID: {
    status: 500,
    message: 'tools-http.allowNetworks entry "{entry}" is not a network in CIDR notation',
    hint: 'Write an address with a prefix length, such as "10.1.2.0/24", "127.0.0.1/32" or "fd00:1234::/48"; a bare address means that address alone.',
  },
  ASDK_TOOLS_TIME_ZONE_INVALID: {
    status: 500,
    message: 'tools-time.defaultTimeZone "{zone}" is not a time zone: {reason}',
    hint: 'Use an IANA name such as "Europe/Paris" or "America/New_York", "UTC", or an offset such as "+05:30".',
  },
} as const satisfies Record<string, ErrorSpec>;
