// The README's library-embedding snippet, as it is printed there (in your project: `from 'agent-sdk'`).
import { createKernel, isEvent } from '../../index.js';

const kernel = await createKernel(); // the embedded default: offline model, presets, built-in tools, SQLite in ./.agent-sdk
await kernel.start();

const run = await kernel.runs.start({ preset: 'assistant_tools', input: 'What is 17 * 23?' });
for await (const event of run.events()) {
  if (isEvent(event, 'tool.call')) console.log(`→ ${event.data.name}`, event.data.args);
  if (isEvent(event, 'assistant.delta')) process.stdout.write(event.data.text);
}
const result = await run.result();
console.log(`\n${result.status}:`, result.usage);

await kernel.stop();
