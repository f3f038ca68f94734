// The address checks on their own: every spelling of a non-public address must be refused, after the same
// WHATWG URL normalisation the fetcher applies, and public unicast must pass.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkAddress, literalAddress, parseIPv6, parseNetwork } from '../../../plugins/tools-http/index.js';

/** [url, what the refusal must mention] */
const HOSTILE: Array<[string, string]> = [
  ['http://127.0.0.1/', 'loopback'],
  ['http://127.1/', 'loopback'],
  ['http://127.0.1/', 'loopback'],
  ['http://2130706433/', 'loopback'],
  ['http://0177.0.0.1/', 'loopback'],
  ['http://0177.0000.0000.0001/', 'loopback'],
  ['http://017700000001/', 'loopback'],
  ['http://0x7f.1/', 'loopback'],
  ['http://0x7f000001/', 'loopback'],
  ['http://0X7F.0X0.0X0.0X1/', 'loopback'],
  ['http://127.0.0.1./', 'loopback'],
  ['http://%31%32%37.0.0.1/', 'loopback'],
  ['http://127。0。0。1/', 'loopback'],
  ['http://①②⑦.0.0.1/', 'loopback'],
  ['http://127.255.255.254/', 'loopback'],
  ['http://0/', 'this network'],
  ['http://0.0.0.0/', 'this network'],
  ['http://0x0/', 'this network'],
  ['http://[::]/', 'unspecified'],
  ['http://[0:0:0:0:0:0:0:0]/', 'unspecified'],
  ['http://[::1]/', 'loopback'],
  ['http://[0:0:0:0:0:0:0:1]/', 'loopback'],
  ['http://[0000:0000:0000:0000:0000:0000:0000:0001]/', 'loopback'],
  ['http://[::ffff:127.0.0.1]/', 'embedding the IPv4 address 127.0.0.1'],
  ['http://[::FFFF:127.0.0.1]/', 'IPv4-mapped'],
  ['http://[::ffff:7f00:1]/', 'IPv4-mapped'],
  ['http://[0:0:0:0:0:FFFF:7F00:0001]/', 'IPv4-mapped'],
  ['http://[::ffff:8.8.8.8]/', 'IPv4-mapped'],
  ['http://[::ffff:a9fe:a9fe]/', 'embedding the IPv4 address 169.254.169.254'],
  ['http://[::ffff:0:7f00:1]/', 'IPv4-translated'],
  ['http://[::127.0.0.1]/', 'IPv4-compatible'],
  ['http://[::7f00:1]/', 'IPv4-compatible'],
  ['http://[64:ff9b::127.0.0.1]/', 'NAT64'],
  ['http://[64:ff9b::a9fe:a9fe]/', 'embedding the IPv4 address 169.254.169.254'],
  ['http://[64:ff9b:1::a00:1]/', 'local-use NAT64'],
  ['http://[2002:7f00:1::]/', 'embedding the IPv4 address 127.0.0.1'],
  ['http://[2002:c0a8:101::1]/', '6to4'],
  ['http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', 'embedding the IPv4 address 127.0.0.1'],
  ['http://[2001::1]/', 'Teredo'],
  ['http://10.0.0.1/', 'private'],
  ['http://10.255.255.255/', 'private'],
  ['http://012.0.0.1/', 'private'],
  ['http://172.16.0.1/', 'private'],
  ['http://172.31.255.255/', 'private'],
  ['http://192.168.1.1/', 'private'],
  ['http://3232235777/', 'private'],
  ['http://100.64.0.1/', 'carrier-grade NAT'],
  ['http://100.127.255.255/', 'carrier-grade NAT'],
  ['http://100.100.100.200/', 'carrier-grade NAT'],
  ['http://169.254.169.254/', 'link-local'],
  ['http://2852039166/', 'link-local'],
  ['http://0xa9.0xfe.0xa9.0xfe/', 'link-local'],
  ['http://0251.0376.0251.0376/', 'link-local'],
  ['http://169.254.0.1/', 'link-local'],
  ['http://[fe80::1]/', 'link-local'],
  ['http://[FE80::a:b:c:d]/', 'link-local'],
  ['http://[febf::1]/', 'link-local'],
  ['http://[fc00::1]/', 'unique local'],
  ['http://[fd00:ec2::254]/', 'unique local'],
  ['http://[FD12:3456:789A::1]/', 'unique local'],
  ['http://[fec0::1]/', 'site-local'],
  ['http://224.0.0.1/', 'multicast'],
  ['http://239.255.255.250/', 'multicast'],
  ['http://[ff02::1]/', 'multicast'],
  ['http://[FF0E::1]/', 'multicast'],
  ['http://255.255.255.255/', 'broadcast'],
  ['http://240.0.0.1/', 'reserved'],
  ['http://192.0.0.192/', 'IETF protocol assignments'],
  ['http://192.0.2.1/', 'documentation'],
  ['http://198.51.100.7/', 'documentation'],
  ['http://203.0.113.9/', 'documentation'],
  ['http://198.18.0.1/', 'benchmarking'],
  ['http://198.19.255.255/', 'benchmarking'],
  ['http://192.88.99.1/', '6to4 relay'],
  ['http://168.63.129.16/', 'cloud platform'],
  ['http://[2001:db8::1]/', 'documentation'],
  ['http://[3fff::1]/', 'documentation'],
  ['http://[100::1]/', 'discard-only'],
  ['http://[2001:2::1]/', 'IETF protocol assignments'],
  ['http://[5f00::1]/', 'SRv6'],
  ['http://[1::1]/', 'outside global unicast'],
  ['http://[4000::1]/', 'outside global unicast'],
];

const PUBLIC = [
  'http://93.184.216.34/',
  'http://8.8.8.8/',
  'http://1.1.1.1/',
  'http://0x5db8d822/',
  'http://126.255.255.255/',
  'http://128.0.0.1/',
  'http://11.0.0.1/',
  'http://100.63.255.255/',
  'http://100.128.0.0/',
  'http://172.15.255.255/',
  'http://172.32.0.0/',
  'http://192.167.255.255/',
  'http://192.169.0.0/',
  'http://169.253.255.255/',
  'http://223.255.255.255/',
  'http://[2606:4700:4700::1111]/',
  'http://[2001:4860:4860::8888]/',
  'http://[2A00:1450:4001:80B::200E]/',
  'http://[2620:fe::fe]/',
];

test('every hostile spelling, once normalised like the fetcher does, is refused with the reason', () => {
  for (const [url, reason] of HOSTILE) {
    const address = literalAddress(new URL(url));
    assert.ok(address, `${url} should be a literal address`);
    const verdict = checkAddress(address!);
    assert.is(verdict.allowed, false, `${url} -> ${address} was allowed`);
    if (!verdict.allowed) assert.match(verdict.reason, reason, `${url} -> ${address}: ${verdict.reason}`);
  }
});

test('public unicast addresses pass, in any spelling', () => {
  for (const url of PUBLIC) {
    const address = literalAddress(new URL(url));
    const verdict = checkAddress(address!);
    assert.ok(verdict.allowed, `${url} -> ${address}: ${!verdict.allowed && verdict.reason}`);
  }
});

test('the checker itself refuses anything that is not a canonical address, instead of guessing', () => {
  for (const raw of ['0177.0.0.1', '127.1', '2130706433', '0x7f.0.0.1', '127.000.000.001', '1.2.3.4 ', ' 8.8.8.8', '8.8.8.8.', '', 'localhost', 'example.com', '256.1.1.1', '1.2.3', ':::', '1::2::3', '[::1', 'fe80::1%eth0', '::ffff:127.0.0.1']) {
    const verdict = checkAddress(raw);
    assert.is(verdict.allowed, false, JSON.stringify(raw));
  }
  assert.is(checkAddress('[2606:4700:4700::1111]').allowed, true, 'brackets are tolerated');
});

test('DNS names are not literal addresses (the lookup checks them)', () => {
  for (const url of ['http://localhost/', 'http://example.com/', 'http://127.0.0.1.nip.io/', 'http://0x7f.example/']) assert.is(literalAddress(new URL(url)), undefined, url);
});

test('the IPv6 parser agrees on equivalent spellings', () => {
  const same = ['::ffff:7f00:1', '::FFFF:127.0.0.1', '0:0:0:0:0:ffff:7f00:0001', '0000:0000:0000:0000:0000:FFFF:7F00:0001', '::ffff:127.0.0.1%eth0'];
  const values = same.map((s) => parseIPv6(s));
  assert.ok(values.every((v) => v !== undefined && v === values[0]), String(values));
  for (const bad of ['1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '::ffff:1.2.3.256', '::ffff:01.2.3.4']) assert.is(parseIPv6(bad), undefined, bad);
});

test('exempt networks: CIDR parsing and matching by family', () => {
  const loop = parseNetwork('127.0.0.1/32')!;
  assert.ok(loop.matches('127.0.0.1'));
  assert.not.ok(loop.matches('127.0.0.2'));
  assert.not.ok(loop.matches('::ffff:127.0.0.1'), 'a mapped spelling is not the exempt IPv4 address');
  const intranet = parseNetwork('10.1.2.0/24')!;
  assert.ok(intranet.matches('10.1.2.200'));
  assert.not.ok(intranet.matches('10.1.3.1'));
  const ula = parseNetwork('fd00:1234::/32')!;
  assert.ok(ula.matches('fd00:1234:ffff::1'));
  assert.not.ok(ula.matches('fd00:1235::1'));
  assert.ok(parseNetwork('::1')!.matches('::1'));
  for (const bad of ['10.0.0.0/33', '10.0.0/8', 'fd00::/129', 'example.com/24', '10.0.0.0/8/8', '10.0.0.0/-1', '']) assert.is(parseNetwork(bad), undefined, bad);
});

test.run();
