import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue } from '../../../agent-server/core/event-queue.js';

test('items pushed before and while reading come out in order, then the queue ends', async () => {
  const queue = new EventQueue<number>();
  queue.push(1);
  const read = (async () => {
    const seen: number[] = [];
    for await (const n of queue) seen.push(n);
    return seen;
  })();
  await Promise.resolve();
  queue.push(2);
  setImmediate(() => {
    queue.push(3);
    queue.end();
    queue.push(4);
  });
  assert.deepEqual(await read, [1, 2, 3]);
});

test('items queued before end are drained, not dropped', async () => {
  const queue = new EventQueue<string>();
  queue.push('a');
  queue.push('b');
  queue.end();
  const seen: string[] = [];
  for await (const s of queue) seen.push(s);
  assert.deepEqual(seen, ['a', 'b']);
});
