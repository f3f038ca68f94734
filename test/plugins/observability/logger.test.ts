// The pino logger plugin: ports.logger for every plugin after it, the kernel default's record shape, levels,
// errors with their stack, child fields, redaction, and nothing lost at stop.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { definePlugin, ports, type Logger } from '../../../core/index.js';
import { pinoLoggerPlugin } from '../../../plugins/observability/index.js';
import { kernelWith } from '../../helpers/kernel.js';

const dir = mkdtempSync(join(tmpdir(), 'asdk-pino-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const readLines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>);

/** A plugin that logs through its context logger in init, as every plugin does. */
const chatty = definePlugin({
  id: 'chatty',
  version: '1.0.0',
  requires: { logger: ports.logger },
  init(ctx) {
    ctx.logger.debug('debug line');
    ctx.logger.info('hello', { n: 1 });
    ctx.logger.warn('careful', { apiKey: 'secret-value', nested: { password: 'p' } });
    ctx.deps.logger.child({ runId: 'run_1' }).error('failed', { error: Object.assign(new TypeError('bad thing'), { code: 'E_BAD' }) });
  },
});

test('every plugin after it logs through pino: level words, ISO time, msg, fields, child fields, errors with stack', async () => {
  const file = join(dir, 'all.log');
  const kernel = kernelWith([pinoLoggerPlugin, chatty], { logger: { enabled: true, level: 'debug', destination: file, redact: ['apiKey', '*.password'] } });
  await kernel.start();
  await kernel.stop();
  const lines = readLines(file);
  assert.equal(lines.map((l) => [l.level, l.msg]), [['debug', 'debug line'], ['info', 'hello'], ['warn', 'careful'], ['error', 'failed']]);
  for (const line of lines) {
    assert.match(line.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.is(line.pid, process.pid);
    assert.type(line.hostname, 'string');
  }
  assert.is(lines[1].plugin, 'chatty', 'the context logger carries the plugin id');
  assert.is(lines[1].n, 1);
  assert.is(lines[2].apiKey, '[Redacted]');
  assert.is(lines[2].nested.password, '[Redacted]');
  assert.is(lines[3].runId, 'run_1');
  assert.equal([lines[3].error.type, lines[3].error.message, lines[3].error.code], ['TypeError', 'bad thing', 'E_BAD']);
  assert.match(lines[3].error.stack, 'TypeError: bad thing');
});

test('the level: its own, else AGENT_SDK_LOG_LEVEL, else info; silent writes nothing', async () => {
  const envFile = join(dir, 'env.log');
  await (await kernelWith([pinoLoggerPlugin, chatty], { logger: { enabled: true, destination: envFile } }, { AGENT_SDK_LOG_LEVEL: 'warn' }).start()).stop();
  assert.equal(readLines(envFile).map((l) => l.level), ['warn', 'error']);
  const infoFile = join(dir, 'info.log');
  await (await kernelWith([pinoLoggerPlugin, chatty], { logger: { enabled: true, destination: infoFile } }).start()).stop();
  assert.equal(readLines(infoFile).map((l) => l.level), ['info', 'warn', 'error']);
  const silentFile = join(dir, 'silent.log');
  await (await kernelWith([pinoLoggerPlugin, chatty], { logger: { enabled: true, destination: silentFile, level: 'silent' } }).start()).stop();
  assert.equal(readLines(silentFile), []);
});

test('a busy logger loses nothing: asynchronous writes are flushed when the kernel stops', async () => {
  const file = join(dir, 'busy.log');
  const writer = definePlugin({
    id: 'writer',
    version: '1.0.0',
    requires: { logger: ports.logger },
    init({ deps }) {
      const logger: Logger = deps.logger;
      for (let i = 0; i < 20_000; i++) logger.info('line', { i });
    },
  });
  await (await kernelWith([pinoLoggerPlugin, writer], { logger: { enabled: true, destination: file, sync: false } }).start()).stop();
  const lines = readLines(file);
  assert.is(lines.length, 20_000);
  assert.is(lines.at(-1)!.i, 19_999);
});

test('not enabled (the batteries default), the kernel\'s own logger stays: same records, same level, no pino fields', async () => {
  const file = join(dir, 'never.log');
  const captured: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => captured.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const kernel = kernelWith([pinoLoggerPlugin, chatty], { kernel: { logLevel: 'warn' }, logger: { destination: file } });
    await kernel.start();
    await kernel.stop();
  } finally {
    process.stderr.write = write;
  }
  const lines = captured.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal(lines.map((l) => [l.level, l.msg]), [['warn', 'careful'], ['error', 'failed']]);
  assert.is(lines[0].pid, undefined, 'the kernel default, not pino');
  assert.throws(() => readFileSync(file));
});

test.run();
