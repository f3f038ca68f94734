// The server's `agent-sdk doctor` check: the configured host:port can be listened on, and a non-loopback
// host has API keys.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Value } from 'typebox/value';
import { extensionPoints, type DoctorCheckResult } from '../../../core/index.js';
import { serverDoctorCheck, serverPlugin, ServerConfig } from '../../../adapters/http-koa/index.js';

/** Runs the check on a server slice as the doctor passes it (validated, defaults applied). */
async function check(slice: Record<string, unknown>): Promise<DoctorCheckResult[]> {
  const config = Value.Default(ServerConfig, structuredClone(slice));
  const outcome = await serverDoctorCheck.run({
    config,
    section: () => undefined,
    contributions: () => [],
    kernel: { env: {}, cwd: process.cwd(), dataDir: process.cwd() } as never,
    online: false,
    signal: AbortSignal.timeout(5_000),
  });
  return Array.isArray(outcome) ? [...outcome] : [outcome as DoctorCheckResult];
}

function listen(port = 0, host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

test('the server plugin contributes the check', () => {
  assert.ok(serverPlugin.contributes?.some((c) => c.point === extensionPoints.doctorChecks && c.items.includes(serverDoctorCheck)));
});

test('a free port: ok, and nothing is left listening', async () => {
  const probe = await listen();
  const port = (probe.address() as AddressInfo).port;
  await close(probe);
  const [result, ...more] = await check({ port });
  assert.equal(more, []);
  assert.equal([result.ok, result.detail], [true, `127.0.0.1:${port} is free to listen on`]);
  await close(await listen(port)); // the check closed its listener: the port is free again
  const [any] = await check({ port: 0 });
  assert.ok(any.ok, any.detail);
});

test('a port in use: not ok, with a hint naming --port and AGENT_SDK_PORT', async () => {
  const holder = await listen();
  const port = (holder.address() as AddressInfo).port;
  try {
    const [result] = await check({ port });
    assert.is(result.ok, false);
    assert.match(result.detail, `127.0.0.1:${port}: EADDRINUSE`);
    assert.match(result.hint!, '--port');
    assert.match(result.hint!, 'AGENT_SDK_PORT');
  } finally {
    await close(holder);
  }
});

test('a host that is not an address of this machine: not ok, with a hint naming --host', async () => {
  const [result] = await check({ host: '192.0.2.1', port: 0, apiKeys: ['k'.repeat(16)] }); // TEST-NET-1: never local
  assert.is(result.ok, false);
  assert.match(result.detail, 'EADDRNOTAVAIL');
  assert.match(result.hint!, '--host');
});

test('a non-loopback host without API keys is reported (the server would refuse to start); with a key it is not', async () => {
  const open = await check({ host: '0.0.0.0', port: 0 });
  assert.is(open.length, 2);
  assert.ok(open[0].ok, open[0].detail);
  assert.equal([open[1].name, open[1].ok], ['server access', false]);
  assert.match(open[1].detail, 'not a loopback address');
  assert.match(open[1].hint!, 'AGENT_SDK_API_KEY');
  const keyed = await check({ host: '0.0.0.0', port: 0, apiKeys: ['asdk_doctor_0123456789'] });
  assert.is(keyed.length, 1);
  assert.is((await check({ host: 'localhost', port: 0 })).length, 1);
});

test.run();
