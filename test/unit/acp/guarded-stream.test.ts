import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { BoundedLineSplitter, nestsDeeperThan } from '../../../agent-server/acp/bounded-lines.js';
import { guardedNdJsonStream, INPUT_LIMITS } from '../../../agent-server/acp/guarded-stream.js';

const small = { ...INPUT_LIMITS, maxLineBytes: 64, maxDepth: 4, maxMethodLength: 8, maxIdLength: 8 };

function collect(splitter: BoundedLineSplitter, chunks: string[]): string[] {
  const out: string[] = [];
  for (const c of chunks)
    for (const item of splitter.push(Buffer.from(c)))
      out.push('tooLarge' in item ? '<too large>' : item.line.toString());
  const last = splitter.flush();
  if (last) out.push(last.toString());
  return out;
}

test('the splitter joins lines across chunks and reports an over-long line once, then skips it', () => {
  assert.deepEqual(collect(new BoundedLineSplitter(10), ['ab', 'c\nde', 'f\n']), ['abc', 'def']);
  assert.deepEqual(collect(new BoundedLineSplitter(4), ['abc', 'defgh', 'ijk\nok\n', 'tail']), [
    '<too large>',
    'ok',
    'tail',
  ]);
});

test('nesting depth is counted outside strings only', () => {
  assert.equal(nestsDeeperThan(Buffer.from('[[[[]]]]'), 4), false);
  assert.equal(nestsDeeperThan(Buffer.from('[[[[[]]]]]'), 4), true);
  assert.equal(nestsDeeperThan(Buffer.from('{"a":"[[[[[[\\"[[[["}'), 4), false);
});

async function run(lines: string[], end = true) {
  const input = new PassThrough();
  const output = new PassThrough();
  const { stream, inputEnded } = guardedNdJsonStream(input, output, small);
  const written: string[] = [];
  output.on('data', (d: Buffer) => written.push(...d.toString().split('\n').filter(Boolean)));
  for (const l of lines) input.write(l + '\n');
  if (end) input.end();
  const passed: unknown[] = [];
  const reader = stream.readable.getReader();
  const writer = stream.writable.getWriter();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    passed.push(value);
    // Answered as the SDK would: the end of input waits for every answer.
    const m = value as { id?: number; method?: string };
    if (m.method !== undefined && m.id !== undefined)
      await writer.write({ jsonrpc: '2.0', id: m.id, result: {} } as never);
  }
  writer.releaseLock();
  await new Promise((r) => setImmediate(r));
  return {
    passed,
    replies: written.map((w) => JSON.parse(w) as { id: unknown; error: { code: number; message: string } }),
    inputEnded,
  };
}

test('bad input is answered with short errors that never echo it, and good input still passes', async () => {
  const good = { jsonrpc: '2.0', id: 1, method: 'ping' };
  const { passed, replies, inputEnded } = await run([
    'x'.repeat(200),
    '[[[[[[1]]]]]]',
    '{not json',
    '[1,2]',
    '"text"',
    JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'm'.repeat(20) }),
    JSON.stringify({ jsonrpc: '2.0', id: 'i'.repeat(20), method: 'ping' }),
    JSON.stringify({ jsonrpc: '1.0', id: 3, method: 'ping' }),
    JSON.stringify({ jsonrpc: '2.0' }),
    '   ',
    JSON.stringify(good),
  ]);
  assert.deepEqual(passed, [good]);
  assert.deepEqual(
    replies.filter((r) => r.error).map((r) => [r.id, r.error.code]),
    [
      [null, -32600],
      [null, -32600],
      [null, -32700],
      [null, -32600],
      [null, -32600],
      [2, -32600],
      [null, -32600],
      [3, -32600],
      [null, -32600],
    ],
  );
  for (const r of replies.filter((x) => x.error))
    assert.ok(!r.error.message.includes('mmmm') && !r.error.message.includes('xxxx'));
  assert.equal(inputEnded(), true);
});

test('the input counts as ended only when the client closed it', async () => {
  const input = new PassThrough();
  const { stream, inputEnded } = guardedNdJsonStream(input, new PassThrough(), small);
  const reader = stream.readable.getReader();
  input.write('{"jsonrpc":"2.0","method":"n"}\n');
  await reader.read();
  await reader.cancel();
  assert.equal(inputEnded(), false);
});

test('after the client closes its end, its requests are still answered before the input ends', async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  const { stream, inputEnded } = guardedNdJsonStream(input, output, small);
  const reader = stream.readable.getReader();
  const writer = stream.writable.getWriter();
  input.end('{"jsonrpc":"2.0","id":1,"method":"slow"}\n{"jsonrpc":"2.0","id":"1","method":"b"}\n');
  assert.equal(((await reader.read()).value as { id: unknown }).id, 1);
  assert.equal(((await reader.read()).value as { id: unknown }).id, '1');
  let closed = false;
  const end = reader.read().then((r) => (closed = r.done));
  // The number 1 is answered; the string "1" is a different request, still open.
  await writer.write({ jsonrpc: '2.0', id: 1, result: {} } as never);
  await new Promise((r) => setImmediate(r));
  assert.equal(closed, false);
  assert.equal(inputEnded(), false);
  await writer.write({ jsonrpc: '2.0', id: '1', result: {} } as never);
  await end;
  assert.equal(closed, true);
  assert.equal(inputEnded(), true);
});

test('requests the agent sends a client that closed its end get an error at once, in either order', async () => {
  const input = new PassThrough();
  const { stream } = guardedNdJsonStream(input, new PassThrough(), small);
  const reader = stream.readable.getReader();
  const writer = stream.writable.getWriter();
  input.write('{"jsonrpc":"2.0","id":7,"method":"prompt"}\n');
  await reader.read();
  // Asked before the end of input, and after it: both answered locally with an error.
  await writer.write({ jsonrpc: '2.0', id: 0, method: 'session/request_permission', params: {} } as never);
  input.end();
  const first = (await reader.read()).value as { id: number; error?: { message: string } };
  assert.equal(first.id, 0);
  assert.match(first.error!.message, /closed the connection/);
  await writer.write({ jsonrpc: '2.0', id: 1, method: 'fs/read_text_file', params: {} } as never);
  const second = (await reader.read()).value as { id: number; error?: { message: string } };
  assert.equal(second.id, 1);
  assert.ok(second.error);
  // The prompt's own answer ends the input.
  await writer.write({ jsonrpc: '2.0', id: 7, result: { stopReason: 'end_turn' } } as never);
  assert.equal((await reader.read()).done, true);
});
