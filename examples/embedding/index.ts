// agent-sdk inside your own Node service: docs/embedding.md walks through this file.
// Run it: node --import tsx examples/embedding/index.ts   (in your project, import from 'agent-sdk').
import { Type } from 'typebox';
import { contribution, createKernel, defineAgent, definePlugin, defineTool, extensionPoints, isEvent, type Kernel } from '../../index.js';

/** A tool of your own, in a plugin of your own (docs/plugins.md). */
const orderStatus = defineTool({
  name: 'orders.status',
  version: '1.0.0',
  description: 'Looks up the delivery status of an order by its number.',
  input: Type.Object({ orderId: Type.String({ pattern: '^[0-9]{4,10}$' }) }, { additionalProperties: false }),
  output: Type.Object({ orderId: Type.String(), status: Type.String() }),
  timeoutMs: 2_000,
  async execute({ orderId }) {
    return { orderId, status: Number(orderId) % 2 ? 'shipped' : 'being packed' };
  },
});
export const shopPlugin = definePlugin({ id: 'shop', version: '1.0.0', contributes: [contribution(extensionPoints.tools, orderStatus)] });

/** An agent defined in code: instructions, a model fallback chain, the tools it may call, limits. */
const analyst = defineAgent({
  name: 'analyst',
  instructions: 'You are a precise analyst. Use the calculator for every calculation.',
  model: ['default'], // names from `models:`; e.g. ['fast', 'default'] falls back to the offline model
  tools: ['calculator', 'time.*', 'orders.status'],
  limits: { maxSteps: 4, maxToolCalls: 4, timeoutMs: 30_000 },
});

export async function main(options: { cwd?: string; env?: Record<string, string | undefined>; print?: (line: string) => void } = {}): Promise<void> {
  const print = options.print ?? ((line: string) => console.log(line));
  const kernel: Kernel = await createKernel({
    cwd: options.cwd,
    env: options.env,
    plugins: [shopPlugin],
    // The config, inline; or a path to agent-sdk.config.yaml; or nothing for the embedded default.
    config: {
      kernel: { logLevel: 'warn' },
      runtime: { limits: { timeoutMs: 60_000 } },
      presets: { support: { description: 'Answers order questions', instructions: 'Help with orders.', tools: ['orders.status'] } },
    },
  });
  await kernel.start();
  try {
    // 1. A preset, following the events as they happen.
    const run = await kernel.runs.start({ preset: 'assistant_tools', input: 'What is 17 * 23?' });
    for await (const event of run.events()) {
      if (isEvent(event, 'tool.call')) print(`tool: ${event.data.name} ${JSON.stringify(event.data.args)}`);
      if (isEvent(event, 'tool.result')) print(`result: ${JSON.stringify(event.data.result)}`);
    }
    const result = await run.result();
    print(`answer: ${result.output} (${result.usage.inputTokens} tokens in, ${result.usage.outputTokens} out)`);

    // 2. Your own agent; result() alone is enough when you do not need the stream.
    const time = await kernel.runs.start({ agent: analyst, input: 'What time is it in UTC?' });
    print(`analyst: ${(await time.result()).output}`);

    // 3. A session: the second run sees the first one's messages.
    const first = await kernel.runs.start({ preset: 'assistant_basic', input: 'My name is Ada', sessionId: 'user-42' });
    await first.result();
    const second = await kernel.runs.start({ preset: 'assistant_basic', input: 'What is my name?', sessionId: 'user-42' });
    print(`session: ${(await second.result()).output}`);

    // 4. Cancellation: an AbortSignal (a request that went away) or handle.cancel().
    const controller = new AbortController();
    const cancelled = await kernel.runs.start({ preset: 'assistant_basic', input: 'Hello', signal: controller.signal });
    controller.abort('the client disconnected');
    const outcome = await cancelled.result();
    print(`cancelled: ${outcome.status} (${JSON.stringify((await last(cancelled.events())).data)})`);

    // 5. A finished run, found again by id (e.g. in another request handler): replay its events.
    const again = await kernel.runs.get({ orgId: 'default' }, run.id);
    let count = 0;
    for await (const _ of again!.events()) count++;
    print(`replayed: ${count} events of ${run.id.slice(0, 8)}…`);

    // 6. Failures are results, not exceptions: a run that breaks a limit ends with a code.
    // (The answer needs a second model step after the calculator's result; one step is allowed.)
    const limited = await kernel.runs.start({ preset: 'assistant_tools', input: 'What is 6 * 7?', limits: { maxSteps: 1 } });
    print(`limited: ${(await limited.result()).error?.code}`);
  } finally {
    await kernel.stop();
  }
}

async function last<T>(events: AsyncIterable<T>): Promise<T> {
  let final: T | undefined;
  for await (const event of events) final = event;
  return final!;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) await main();
