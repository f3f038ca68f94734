import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isAllowed, parseAllowedHost, type AllowedHost } from '../../../plugins/tools-http/index.js';

function parse(entries: string[]): AllowedHost[] {
  return entries.map((entry) => {
    const parsed = parseAllowedHost(entry);
    if ('error' in parsed) throw new Error(`${entry}: ${parsed.error}`);
    return parsed;
  });
}

test('entries: hosts, ports, wildcards and addresses are normalised like URLs', () => {
  assert.equal(parseAllowedHost('Example.COM'), { host: 'example.com', subdomains: false });
  assert.equal(parseAllowedHost('example.com.'), { host: 'example.com', subdomains: false });
  assert.equal(parseAllowedHost('docs.example.com:8443'), { host: 'docs.example.com', subdomains: false, port: 8443 });
  assert.equal(parseAllowedHost('*.example.com'), { host: 'example.com', subdomains: true });
  assert.equal(parseAllowedHost('bücher.example'), { host: 'xn--bcher-kva.example', subdomains: false });
  assert.equal(parseAllowedHost('[2001:DB8::1]:443'), { host: '[2001:db8::1]', subdomains: false, port: 443 });
  assert.equal(parseAllowedHost('0x7f.1:8080'), { host: '127.0.0.1', subdomains: false, port: 8080 }, 'IPv4 spellings normalised');
});

test('entries that are not hosts are refused with a reason', () => {
  const cases: Array<[string, string]> = [
    ['https://example.com', 'scheme'],
    ['example.com/path', 'path'],
    ['user@example.com', 'credentials'],
    ['example.com:0', 'out of range'],
    ['example.com:70000', 'out of range'],
    ['*.127.0.0.1', 'not to addresses'],
    ['*.com', 'two labels'],
    ['*', 'no allow-all'],
    ['*.*.example.com', 'leading'],
    ['exa mple.com', 'host or host:port'],
    ['', 'host or host:port'],
    ['example.com:', 'host or host:port'],
    ['[not-ipv6]', 'host or host:port'],
  ];
  for (const [entry, reason] of cases) {
    const parsed = parseAllowedHost(entry);
    assert.ok('error' in parsed, `${entry} was accepted`);
    if ('error' in parsed) assert.match(parsed.error, reason, entry);
  }
});

test('matching: exact host, default ports per scheme, explicit ports, subdomains only for wildcards', () => {
  const list = parse(['example.com', 'api.example.org:8443', '*.wiki.test', '[2606:4700::1]']);
  const yes = ['http://example.com/', 'https://example.com/a?b', 'http://EXAMPLE.com./', 'https://example.com:443/', 'https://api.example.org:8443/v1',
    'https://en.wiki.test/', 'http://a.b.wiki.test/', 'https://[2606:4700:0::1]/'];
  const no = ['http://example.com:8080/', 'https://example.com:80/', 'http://evil-example.com/', 'http://example.com.evil.test/', 'http://sub.example.com/',
    'https://api.example.org/', 'https://wiki.test/', 'http://wiki.test.evil/', 'http://xwiki.test/', 'https://[2606:4700::2]/', 'http://93.184.216.34/'];
  for (const url of yes) assert.ok(isAllowed(new URL(url), list), `${url} should be allowed`);
  for (const url of no) assert.not.ok(isAllowed(new URL(url), list), `${url} should not be allowed`);
  assert.not.ok(isAllowed(new URL('https://example.com/'), []), 'empty allowlist allows nothing');
});

test.run();
