import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { extensionPoints } from '../../index.js';
import { scripted, startTestKernel } from '../../testing.js';
import { helloPlugin } from './index.js';

const signal = new AbortController().signal;
const context = { orgId: 'default', runId: 'r1', sessionId: 's1', callId: 'c1', signal, logger: console as any };

test('hello-plugin contributes hello.greet, configured from its config slice', async () => {
  const kernel = await startTestKernel({ plugins: [helloPlugin], config: { 'hello-plugin': { greeting: 'Hej' } } });
  const tools = kernel.contributions(extensionPoints.tools);
  assert.equal(tools.map((t) => `${t.pluginId}/${t.item.name}@${t.item.version}`), ['hello-plugin/hello.greet@1.0.0']);
  const result = await tools[0].item.execute({ name: 'Ada' }, context);
  assert.equal(result, { message: 'Hej, Ada!' });
  await kernel.stop();
});

test('a scripted run calls hello.greet through the tool registry and answers from its result', async () => {
  const model = scripted([{ toolCalls: [{ name: 'hello.greet', args: { name: 'Ada' } }] }, { text: 'I greeted Ada.' }]);
  const kernel = await startTestKernel({ plugins: [helloPlugin], model, config: { 'hello-plugin': { greeting: 'Hej' } } });
  const run = await kernel.runs.start({ agent: { instructions: 'Greet people.', tools: ['hello.*'] }, input: 'Say hi to Ada' });
  const types: string[] = [];
  for await (const event of run.events()) {
    types.push(event.type);
    if (event.type === 'tool.result') assert.equal((event.data as { result: unknown }).result, { message: 'Hej, Ada!' });
  }
  assert.ok(types.includes('tool.result'), types.join(' '));
  assert.is((await run.result()).output, 'I greeted Ada.');
  // The model saw the tool it was offered, and the tool's answer on its second call.
  assert.equal(model.calls[0].tools, ['hello.greet']);
  assert.match(model.calls[1].messages.at(-1)!.content, 'Hej, Ada!');
  await kernel.stop();
});

test('invalid arguments never reach the tool: the model gets ASDK_TOOL_INVALID_ARGS back', async () => {
  const model = scripted([{ toolCalls: [{ name: 'hello.greet', args: { name: '' } }] }, { text: 'Sorry.' }]);
  const kernel = await startTestKernel({ plugins: [helloPlugin], model });
  const run = await kernel.runs.start({ agent: { instructions: 'Greet people.', tools: ['hello.greet'] }, input: 'Say hi' });
  await run.result();
  assert.match(model.calls[1].messages.at(-1)!.content, 'ASDK_TOOL_INVALID_ARGS');
  await kernel.stop();
});

test('hello-plugin refuses a bad config with the path and a suggestion', async () => {
  try {
    await startTestKernel({ plugins: [helloPlugin], config: { 'hello-plugin': { greting: 'Hi' } } });
    assert.unreachable();
  } catch (error: any) {
    assert.is(error.code, 'ASDK_CONFIG_INVALID');
    assert.is(error.problems[0].path, 'hello-plugin.greting');
    assert.match(error.problems[0].message, 'did you mean "greeting"?');
  }
});

test.run();
