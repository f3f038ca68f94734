import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeadlineQueue, type Deadline } from '../../../core/runtime/deadlines.js';
import { randomId } from '../../../core/runtime/ids.js';

const item = (name: string, log: string[]): Deadline => ({ deadlineAt: 0, deadlineIndex: -1, expire: () => void log.push(name) });

test('expires in deadline order; removed items never expire; an empty queue lets go of its timer', async () => {
  let now = 1_000;
  const queue = new DeadlineQueue(() => now);
  const log: string[] = [];
  const items = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((n) => [n, item(n, log)]));
  queue.add(items.c, 30);
  queue.add(items.a, 10);
  queue.add(items.e, 50);
  queue.add(items.b, 20);
  queue.add(items.d, 40);
  queue.remove(items.b);
  queue.remove(items.b);
  assert.is(queue.size, 4);
  now += 35;
  await new Promise((resolve) => setTimeout(resolve, 15));
  assert.equal(log, ['a', 'c']);
  queue.remove(items.d);
  queue.remove(items.e);
  assert.is(queue.size, 0);
  assert.is(items.e.deadlineIndex, -1);
});

test('a heap of thousands stays ordered under random removal', () => {
  const queue = new DeadlineQueue(() => 0);
  const items = Array.from({ length: 2000 }, (_, i) => ({ ...item(String(i), []), ms: (i * 7919) % 1000 }));
  for (const it of items) queue.add(it, it.ms);
  for (const it of items.filter((_, i) => i % 3 === 0)) queue.remove(it);
  const heap = (queue as unknown as { size: number }).size;
  assert.is(heap, 2000 - 667);
  for (const it of items) if (it.deadlineIndex >= 0) {
    const parent = (it.deadlineIndex - 1) >> 1;
    if (it.deadlineIndex > 0) assert.ok(items.find((x) => x.deadlineIndex === parent)!.deadlineAt <= it.deadlineAt);
  }
  for (const it of items) queue.remove(it);
  assert.is(queue.size, 0);
});

test('ids: prefix and 32 hex digits, unique', () => {
  const ids = new Set(Array.from({ length: 10_000 }, () => randomId('run_')));
  assert.is(ids.size, 10_000);
  for (const id of [...ids].slice(0, 50)) assert.match(id, /^run_[0-9a-f]{32}$/);
});

test.run();
