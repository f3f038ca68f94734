// The tool registry on its own: checked and compiled at start, strict arguments, timeouts, the public invoke.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Type } from 'typebox';
import { contribution, definePlugin, defineTool, extensionPoints, ports, ToolRegistry, type ToolDefinition } from '../../../core/index.js';
import { scripted, startTestKernel } from '../../../testing.js';
import { rejection } from '../../helpers/kernel.js';
import { addTool, testToolsPlugin } from '../../helpers/tools.js';

const pack = (id: string, ...tools: ToolDefinition<any, any>[]) => definePlugin({ id, version: '1.0.0', contributes: [contribution(extensionPoints.tools, ...tools)] });
const context = (signal = new AbortController().signal) => ({ orgId: 'o', runId: 'r', sessionId: 's', callId: 'c', signal, logger: console as never });

test('duplicate names are refused at start, naming both plugins', async () => {
  const error = await rejection(startTestKernel({ plugins: [pack('pack-a', addTool), pack('pack-b', addTool)] }));
  assert.match(error.message, 'Tool "test.add" is contributed by both "pack-a" and "pack-b"');
});

test('malformed definitions are refused at start with the reason; every problem is reported', async () => {
  const bad = [
    { ...addTool, name: 'Bad Name' },
    { ...addTool, name: 'agent.sneaky' },
    { ...addTool, name: 'x.version', version: 'v1' },
    { ...addTool, name: 'x.input', input: Type.String() },
    { ...addTool, name: 'x.exec', execute: 'no' },
  ] as unknown as ToolDefinition[];
  const registry = new ToolRegistry();
  const error = (() => {
    try {
      registry.load(bad.map((item) => ({ item, pluginId: 'p' })));
    } catch (e) {
      return e as any;
    }
  })();
  assert.is(error.code, 'ASDK_TOOL_DEFINITION_INVALID');
  assert.equal(error.problems.map((p: { message: string }) => p.message.replace(/^Tool "[^"]+" from plugin "p" is invalid: /, '')), [
    'name "Bad Name" is not dotted lowercase like "pack.action"',
    'names starting with "agent." are reserved for sub-agents',
    'version "v1" is not semver',
    '`input` is not an object schema (Type.Object)',
    '`execute` is not a function',
  ]);
  assert.match(error.hint, 'Also:');
});

test('invoke: defaults applied to a copy, strict validation, output checked, timing reported', async () => {
  const seen: unknown[] = [];
  const withDefaults = defineTool({
    name: 'x.search',
    version: '1.0.0',
    description: 'd',
    input: Type.Object({ query: Type.String(), topK: Type.Integer({ default: 5 }) }, { additionalProperties: false }),
    output: Type.Object({ n: Type.Integer() }),
    async execute(args) {
      seen.push(args);
      return { n: args.topK };
    },
  });
  const kernel = await startTestKernel({ plugins: [pack('p', withDefaults), testToolsPlugin] });
  const tools = kernel.get(ports.tool);
  const args = { query: 'q' };
  const ok = await tools.invoke('x.search', args, context());
  assert.equal([ok.ok, (ok as { result: unknown }).result], [true, { n: 5 }]);
  assert.equal(args, { query: 'q' }, 'the caller\'s arguments are not modified');
  assert.equal(seen, [{ query: 'q', topK: 5 }]);
  const invalid = await tools.invoke('x.search', '{"query": "q"', context());
  assert.equal([invalid.ok, (invalid as { code: string }).code], [false, 'ASDK_TOOL_INVALID_ARGS']);
  assert.match((invalid as { message: string }).message, 'expected a JSON object');
  const unknown = await tools.invoke('x.serch', {}, context());
  assert.match((unknown as { message: string }).message, 'Unknown tool "x.serch"; did you mean "x.search"?');
  assert.equal(tools.list().map((t) => [t.name, t.timeoutMs]), [['x.search', 30000], ['test.add', 30000], ['test.sleep', 200], ['test.fail', 30000]]);
  assert.equal(tools.get('test.add')?.version, '1.2.0');
  await kernel.stop();
});

test('invoke: the caller\'s signal cancels, the timeout aborts the tool\'s own signal', async () => {
  const kernel = await startTestKernel({ plugins: [testToolsPlugin] });
  const tools = kernel.get(ports.tool);
  const controller = new AbortController();
  setTimeout(() => controller.abort('caller gave up'), 10);
  const cancelled = await tools.invoke('test.sleep', { label: 'a', ms: 1000 }, context(controller.signal));
  assert.equal([(cancelled as { code: string }).code, (cancelled as { message: string }).message], ['ASDK_TOOL_CANCELLED', 'Tool "test.sleep" was stopped: caller gave up']);
  const started = Date.now();
  const timedOut = await tools.invoke('test.sleep', { label: 'b', ms: 5000 }, context());
  assert.is((timedOut as { code: string }).code, 'ASDK_TOOL_TIMEOUT');
  assert.ok(Date.now() - started < 1000);
  assert.ok(timedOut.durationMs >= 190);
  await kernel.stop();
});

test('a tool that throws a value JSON cannot print (circular, BigInt, no prototype, hostile Proxy) fails the call, never the process', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const circular: Record<string, unknown> = { why: 'loop' };
  circular.self = circular;
  const hostile = new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); } });
  const badMessage = new Error('x');
  Object.defineProperty(badMessage, 'message', { get() { throw new Error('getter'); } });
  const thrown: Record<string, () => unknown> = {
    circular: () => circular,
    bigint: () => ({ n: 10n }),
    'bare bigint': () => 10n,
    'no prototype': () => Object.create(null),
    proxy: () => hostile,
    'message getter': () => badMessage,
    symbol: () => Symbol('s'),
    undefined: () => undefined,
  };
  const tools = Object.entries(thrown).flatMap(([label, value], i) => [
    defineTool({ name: `weird.async${i}`, version: '1.0.0', description: label, input: Type.Object({}), output: Type.Object({}), async execute() { throw value(); } }),
    defineTool({ name: `weird.sync${i}`, version: '1.0.0', description: label, input: Type.Object({}), output: Type.Object({}), execute() { throw value(); } }),
  ]);
  const proxyResult = defineTool({ name: 'weird.result', version: '1.0.0', description: 'returns a hostile Proxy', input: Type.Object({}), output: Type.Object({ a: Type.String() }), async execute() { return hostile as never; } });
  const kernel = await startTestKernel({
    plugins: [pack('weird', ...tools, proxyResult)],
    model: scripted([{ toolCalls: [{ name: 'weird.async0', args: {} }] }, { text: 'done' }]),
  });
  const registry = kernel.get(ports.tool);
  for (const tool of [...tools, proxyResult]) {
    const outcome = await registry.invoke(tool.name, {}, context());
    assert.is(outcome.ok, false, tool.name);
    assert.is((outcome as { code: string }).code, 'ASDK_TOOL_FAILED', tool.name);
    assert.type((outcome as { message: string }).message, 'string');
  }
  const circularOutcome = (await registry.invoke('weird.async0', {}, context())) as { message: string };
  assert.is(circularOutcome.message, 'Tool "weird.async0" failed: [object Object]');
  const bigint = (await registry.invoke('weird.async2', {}, context())) as { message: string };
  assert.is(bigint.message, 'Tool "weird.async2" failed: 10');
  // The same through a run: the model reads the error, the run completes.
  const run = await kernel.runs.start({ agent: { name: 'a', instructions: 'x', tools: ['weird.async0'] }, input: 'go' });
  const result = await run.result();
  assert.is(result.status, 'completed');
  await new Promise((resolve) => setTimeout(resolve, 20));
  process.off('unhandledRejection', onUnhandled);
  assert.equal(unhandled, []);
  await kernel.stop();
});

test('invoke: an abort reason nothing can print still cancels the call (and throws nowhere)', async () => {
  const kernel = await startTestKernel({ plugins: [testToolsPlugin] });
  const controller = new AbortController();
  setTimeout(() => controller.abort(Object.create(null)), 10);
  const outcome = await kernel.get(ports.tool).invoke('test.sleep', { label: 'c', ms: 1000 }, context(controller.signal));
  assert.equal([(outcome as { code: string }).code, (outcome as { message: string }).message], ['ASDK_TOOL_CANCELLED', 'Tool "test.sleep" was stopped: {}']);
  await kernel.stop();
});

test.run();
