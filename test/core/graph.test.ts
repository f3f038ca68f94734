import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPortRef, definePlugin } from '../../core/index.js';
import { kernelWith, rejection } from '../helpers/kernel.js';

const db = createPortRef<object>({ id: 'test.db' });
const cache = createPortRef<object>({ id: 'test.cache' });

test('a required port that no plugin provides is named with the plugin that needs it', async () => {
  const user = definePlugin({ id: 'reports', version: '1.0.0', requires: { db } });
  const error = await rejection(kernelWith([user]).start());
  assert.is(error.code, 'ASDK_PLUGIN_GRAPH_INVALID');
  assert.is(error.problems[0].code, 'ASDK_PORT_MISSING');
  assert.match(error.problems[0].message, 'Plugin "reports" requires port test.db');
});

test('a missing port provided by a disabled plugin says so', async () => {
  const provider = definePlugin({ id: 'sqlite', version: '1.0.0', provides: [db], init: (ctx) => ctx.provide(db, {}) });
  const user = definePlugin({ id: 'reports', version: '1.0.0', requires: { db } });
  const report = await kernelWith([provider, user], { plugins: { disable: ['sqlite'] } }).check();
  assert.match(report.graphProblems[0].hint!, 'sqlite would, but plugins.disable leaves it out');
});

test('a cycle is reported as a path', async () => {
  const a = definePlugin({ id: 'a', version: '1.0.0', requires: { cache }, provides: [db] });
  const b = definePlugin({ id: 'b', version: '1.0.0', requires: { db }, provides: [cache] });
  const error = await rejection(kernelWith([a, b]).start());
  const cycle = error.problems.find((p: any) => p.code === 'ASDK_PLUGIN_CYCLE');
  assert.ok(cycle);
  assert.match(cycle.message, "Circular dependency: 'a' -> 'b' -> 'a'");
});

test('duplicate ids, port conflicts and unknown dependsOn are all reported in one error', async () => {
  const one = definePlugin({ id: 'twin', version: '1.0.0', provides: [db] });
  const two = definePlugin({ id: 'twin', version: '2.0.0' });
  const other = definePlugin({ id: 'other', version: '1.0.0', provides: [db], dependsOn: ['twn'] });
  const error = await rejection(kernelWith([one, two, other]).start());
  const codes = error.problems.map((p: any) => p.code).sort();
  assert.equal(codes, ['ASDK_PLUGIN_DUPLICATE', 'ASDK_PLUGIN_UNKNOWN', 'ASDK_PORT_CONFLICT']);
  const unknown = error.problems.find((p: any) => p.code === 'ASDK_PLUGIN_UNKNOWN');
  assert.match(unknown.message, 'did you mean "twin"?');
  assert.is(unknown.plugin, 'other');
});

test('check() reports config and graph problems together without starting anything', async () => {
  let inited = false;
  const user = definePlugin({ id: 'reports', version: '1.0.0', requires: { db }, init: () => void (inited = true) });
  const report = await kernelWith([user], { nonsense: 1 }).check();
  assert.is(report.configProblems.length, 1);
  assert.is(report.graphProblems.length, 1);
  assert.not.ok(inited);
});

test.run();
