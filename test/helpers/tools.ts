import { Type } from 'typebox';
import { contribution, definePlugin, defineTool, extensionPoints, ToolFailure } from '../../core/index.js';

/** What the test tools did, in order, for assertions on concurrency and cancellation. */
export const toolLog: string[] = [];

export const addTool = defineTool({
  name: 'test.add',
  version: '1.2.0',
  description: 'Adds two numbers',
  input: Type.Object({ a: Type.Number(), b: Type.Number() }, { additionalProperties: false }),
  output: Type.Object({ sum: Type.Number() }),
  async execute({ a, b }) {
    return { sum: a + b };
  },
});

export const sleepTool = defineTool({
  name: 'test.sleep',
  version: '1.0.0',
  description: 'Waits, then answers with its label',
  input: Type.Object({ label: Type.String(), ms: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
  output: Type.Object({ label: Type.String() }),
  timeoutMs: 200,
  async execute({ label, ms }, context) {
    toolLog.push(`start ${label}`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      context.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        toolLog.push(`aborted ${label}: ${(context.signal.reason as Error).message}`);
        reject(context.signal.reason);
      });
    });
    toolLog.push(`end ${label}`);
    return { label };
  },
});

export const failTool = defineTool({
  name: 'test.fail',
  version: '1.0.0',
  description: 'Fails the way it is told',
  input: Type.Object({ how: Type.Union([Type.Literal('failure'), Type.Literal('throw'), Type.Literal('sync'), Type.Literal('output')]) }),
  output: Type.Object({ ok: Type.Boolean() }),
  execute({ how }) {
    if (how === 'sync') throw new TypeError('exploded synchronously');
    if (how === 'failure') return Promise.reject(new ToolFailure('TEST_NOPE', 'Nope, and here is why.'));
    if (how === 'output') return Promise.resolve({ ok: 'yes' } as never);
    return Promise.reject(new Error('exploded'));
  },
});

export const testToolsPlugin = definePlugin({
  id: 'test-tools',
  version: '1.0.0',
  contributes: [contribution(extensionPoints.tools, addTool, sleepTool, failTool)],
});
