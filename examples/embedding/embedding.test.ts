import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scripted, startTestKernel } from '../../testing.js';
import { main, shopPlugin } from './index.js';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'asdk-embed-'));

test('the embedding example runs end to end on the embedded default', async () => {
  const lines: string[] = [];
  // Port 0: the batteries' HTTP server (when present) must not collide with other tests.
  await main({ cwd: emptyDir(), env: { ...process.env, AGENT_SDK_PORT: '0' }, print: (line) => lines.push(line) });
  assert.equal(lines.slice(0, 3), ['tool: calculator {"expression":"17 * 23"}', 'result: {"result":391,"expression":"17 * 23"}', 'answer: 17 * 23 = 391 (305 tokens in, 13 out)']);
  assert.match(lines[3], /^analyst: It is \d\d:\d\d on \w+day, \d{4}-\d\d-\d\d in UTC \(UTC\+00:00\)\.$/);
  assert.equal(lines.slice(4), [
    'session: Your name is Ada.',
    'cancelled: cancelled ({"reason":"the client disconnected","usage":{"inputTokens":0,"outputTokens":0}})',
    lines[6],
    'limited: ASDK_RUN_MAX_STEPS',
  ]);
  assert.match(lines[6], /^replayed: 11 events of run_[0-9a-f]{4}…$/);
});

test('the README snippet runs as written (quickstart.ts, its own process, an empty folder)', () => {
  const script = fileURLToPath(new URL('./quickstart.ts', import.meta.url));
  const output = execFileSync(process.execPath, ['--import', import.meta.resolve('tsx'), script], { cwd: emptyDir(), encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', AGENT_SDK_PORT: '0' } });
  assert.is(output, "→ calculator { expression: '17 * 23' }\n17 * 23 = 391\ncompleted: { inputTokens: 305, outputTokens: 13 }\n");
});

test('the testing snippet of docs/embedding.md', async () => {
  const model = scripted([
    { toolCalls: [{ name: 'orders.status', args: { orderId: '1235' } }] },
    { text: ['Order 1235 ', 'has shipped.'], usage: { inputTokens: 50, outputTokens: 6 } },
  ]);
  const kernel = await startTestKernel({ plugins: [shopPlugin], model });
  const run = await kernel.runs.start({ agent: { instructions: 'Help.', tools: ['orders.*'] }, input: 'Where is 1235?' });
  assert.equal((await run.result()).output, 'Order 1235 has shipped.');
  assert.equal(model.calls[1].messages.at(-1), { role: 'tool', callId: 'call_1_1', name: 'orders.status', content: '{"orderId":"1235","status":"shipped"}' });
  await kernel.stop();
});

test.run();
