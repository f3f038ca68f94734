// The policy chain at the runtime's decision points: denials become policy.denied, a throwing policy denies.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { contribution, definePlugin, extensionPoints, ports, type Policy, type PolicyContext } from '../../../core/index.js';
import { scripted, startTestKernel } from '../../../testing.js';
import { rejection } from '../../helpers/kernel.js';
import { assertLogInvariants, collect, shape } from '../../helpers/runs.js';
import { testToolsPlugin } from '../../helpers/tools.js';

const policies = (...items: Policy[]) => definePlugin({ id: 'test-policies', version: '1.0.0', contributes: [contribution(extensionPoints.policies, ...items)] });
const agent = { instructions: 'x', tools: ['test.*'] };
const usage0 = { inputTokens: 0, outputTokens: 0 };

test('beforeRun denial: policy.denied, then run.failed with the policy\'s code; the model is never called', async () => {
  const seen: PolicyContext[] = [];
  const model = scripted(['never']);
  const kernel = await startTestKernel({
    model,
    plugins: [policies({ id: 'quota', beforeRun: (context) => (seen.push(context), { allow: false, reason: 'monthly quota used up', code: 'QUOTA_EXCEEDED' }) })],
  });
  const run = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi', actor: 'key_1', scopes: ['developer'] });
  const events = await collect(run);
  assertLogInvariants(events, run);
  assert.equal(shape(events), [
    ['run.started', { agent: 'agent' }],
    ['policy.denied', { point: 'beforeRun', policy: 'quota', reason: 'monthly quota used up' }],
    ['run.failed', { error: { code: 'QUOTA_EXCEEDED', message: 'Policy "quota" denied beforeRun: monthly quota used up' }, usage: usage0 }],
  ]);
  assert.is(model.calls.length, 0);
  assert.equal(seen[0], { orgId: 'default', actor: 'key_1', scopes: ['developer'], runId: run.id, sessionId: run.sessionId, preset: undefined, parentRunId: undefined });
  await kernel.stop();
});

test('beforeToolCall denial goes back to the model as a tool error; the run goes on', async () => {
  const model = scripted([{ toolCalls: [{ name: 'test.add', args: { a: 1, b: 2 }, callId: 'c1' }] }, 'I was not allowed.']);
  const kernel = await startTestKernel({
    model,
    plugins: [testToolsPlugin, policies({ id: 'no-math', beforeToolCall: (_, call) => (call.name === 'test.add' ? { allow: false, reason: 'no arithmetic today' } : { allow: true }) })],
  });
  const run = await kernel.runs.start({ agent, input: 'add' });
  const events = await collect(run);
  assert.equal(shape(events).slice(2, 5), [
    ['tool.call', { callId: 'c1', name: 'test.add', version: '1.2.0', args: { a: 1, b: 2 } }],
    ['policy.denied', { point: 'beforeToolCall', policy: 'no-math', reason: 'no arithmetic today' }],
    ['tool.error', { callId: 'c1', code: 'ASDK_POLICY_DENIED', message: 'Policy "no-math" denied tool test.add: no arithmetic today' }],
  ]);
  assert.is((await run.result()).output, 'I was not allowed.');
  await kernel.stop();
});

test('a policy that throws denies (fail closed)', async () => {
  const kernel = await startTestKernel({
    model: scripted(['never']),
    plugins: [policies({ id: 'buggy', beforeModelCall: () => { throw new Error('cannot reach the rules service'); } })],
  });
  const result = await (await kernel.runs.start({ agent: { instructions: 'x' }, input: 'hi' })).result();
  assert.is(result.status, 'failed');
  assert.is(result.error?.code, 'ASDK_POLICY_FAILED');
  assert.match(result.error!.message, 'cannot reach the rules service');
  await kernel.stop();
});

test('onEvent redacts before storage; a redactor that throws fails the run instead of leaking', async () => {
  const redact: Policy = {
    id: 'redact-cards',
    onEvent(_, draft) {
      const text = JSON.stringify(draft.data);
      if (!/\d{4}-\d{4}/.test(text)) return undefined;
      return { ...draft, data: JSON.parse(text.replace(/\d{4}-\d{4}/g, '[redacted]')) };
    },
  };
  const kernel = await startTestKernel({ model: scripted([{ text: 'Your card 1234-5678 is fine.' }]), plugins: [policies(redact)] });
  const run = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'card?' });
  const stored = await kernel.get(ports.storage).events.read({ orgId: 'default' }, run.id);
  await run.result();
  const all = await collect(run);
  assert.ok(stored.length > 0);
  assert.ok(all.every((e) => !JSON.stringify(e).includes('1234-5678')), 'nothing unredacted was stored');
  assert.is((all.find((e) => e.type === 'assistant.message')!.data as { text: string }).text, 'Your card [redacted] is fine.');

  let calls = 0;
  const exploding: Policy = { id: 'exploding', onEvent: (_, draft) => (++calls === 3 ? (() => { throw new Error('regex blew up'); })() : draft) };
  const broken = await startTestKernel({ model: scripted([{ text: 'secret text' }]), plugins: [policies(exploding)] });
  const failed = await broken.runs.start({ agent: { instructions: 'x' }, input: 'hi' });
  const events = await collect(failed);
  assertLogInvariants(events, failed);
  assert.ok(!events.some((e) => e.type === 'assistant.delta'), 'the event the policy choked on was not stored');
  assert.equal(events.at(-1)!.data, { error: { code: 'ASDK_POLICY_FAILED', message: 'Policy "exploding" threw at onEvent: regex blew up' }, usage: usage0 });
  await Promise.all([kernel.stop(), broken.stop()]);
});

test('afterRun hears every outcome; two policies with one id are refused at start', async () => {
  const outcomes: string[] = [];
  const kernel = await startTestKernel({ model: scripted(['ok', { hang: true }]), plugins: [policies({ id: 'audit', afterRun: (_, o) => void outcomes.push(o.status) })] });
  await (await kernel.runs.start({ agent: { instructions: 'x' }, input: 'a' })).result();
  const hanging = await kernel.runs.start({ agent: { instructions: 'x' }, input: 'b' });
  await hanging.cancel();
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(outcomes, ['completed', 'cancelled']);
  await kernel.stop();

  const error = await rejection(startTestKernel({ plugins: [policies({ id: 'same' }, { id: 'same' })] }));
  assert.match(error.message, 'Policy "same" is contributed by both "test-policies" and "test-policies"');
});

test.run();
