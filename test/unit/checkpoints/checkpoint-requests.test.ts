import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { CheckpointListing } from '../../../agent-server/runtime/session-checkpoints.js';
import type { PreviewFile } from '../../../agent-server/runtime/checkpoint-views.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { InProcessAcp } from '../../helpers/acp-in-process.js';
import { tempDir, writeFiles } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';
import type { PermissionAnswer } from '../../helpers/acp-harness.js';

// The checkpoint extension (`_cairn/checkpoints/*`, `_cairn/checkpoint`) through the SDK's
// client side, and restores reported as tool calls with diffs.

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setImmediate(r));
};

async function twoTurns(t: import('node:test').TestContext, permission?: PermissionAnswer) {
  const repo = await tempDir('acp-checkpoints');
  await writeFiles(repo, { 'a.txt': 'zero\n' });
  const model = new ScriptedModelClient([
    { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'one\n' } }] },
    { text: 'first done' },
    {
      toolCalls: [
        { name: 'write_file', arguments: { path: 'a.txt', content: 'two\n' } },
        { name: 'write_file', arguments: { path: 'b.txt', content: 'bee\n' } },
      ],
    },
    { text: 'second done' },
    { text: 'in the fork' },
  ]);
  const fx = await runtimeFixture({ model });
  const client = await InProcessAcp.start({
    services: fx.services,
    ...(permission ? { permission } : {}),
  });
  t.after(async () => {
    await client.close();
    await fx.cleanup();
    await fs.rm(repo, { recursive: true, force: true });
  });
  const { sessionId } = await client.newSession(repo);
  await client.request('session/set_mode', { sessionId, modeId: 'auto' });
  await client.prompt(sessionId, 'first');
  await client.prompt(sessionId, 'second');
  const notified = () => client.extNotifications.filter((n) => n.method === '_cairn/checkpoint');
  await until(() => notified().length === 2);
  return { repo, client, sessionId, notified, model };
}

test('each turn that changed files is announced and listed with its prompt, files and place in the conversation', async (t) => {
  const { client, sessionId, notified } = await twoTurns(t);
  const listing = await client.extRequest<CheckpointListing>('_cairn/checkpoints/list', { sessionId });
  assert.equal(listing.available, true);
  assert.deepEqual(
    listing.checkpoints.map((c) => [c.number, c.prompt, c.beforeUserMessage]),
    [
      [1, 'second', 1],
      [2, 'first', 0],
    ],
  );
  assert.deepEqual(listing.checkpoints[0]!.files, [
    { path: 'a.txt', status: 'modified', added: 1, removed: 1 },
    { path: 'b.txt', status: 'added', added: 1, removed: 0 },
  ]);
  assert.match(listing.checkpoints[0]!.createdAt, /^\d{4}-\d\d-\d\dT/);
  const [first, second] = notified().map(
    (n) => n.params as { sessionId: string; checkpoint: { id: string } },
  );
  assert.equal(first!.sessionId, sessionId);
  assert.deepEqual(
    [second!.checkpoint.id, first!.checkpoint.id],
    listing.checkpoints.map((c) => c.id),
  );
});

test('preview says what a restore would do with both texts; restore with the conversation forks before that prompt', async (t) => {
  const { repo, client, sessionId, model } = await twoTurns(t);
  const { checkpoints } = await client.extRequest<CheckpointListing>('_cairn/checkpoints/list', {
    sessionId,
  });
  const second = checkpoints[0]!;
  const preview = await client.extRequest<{ files: PreviewFile[] }>('_cairn/checkpoints/preview', {
    sessionId,
    checkpointId: second.id,
  });
  assert.deepEqual(preview.files, [
    { path: 'a.txt', action: 'restore', current: 'two\n', restored: 'one\n', handEdited: false },
    { path: 'b.txt', action: 'remove', current: 'bee\n', restored: null, handEdited: false },
  ]);

  const result = await client.extRequest<{
    restored: string[];
    kept: string[];
    undoCheckpointId?: string;
    forkSessionId?: string;
  }>('_cairn/checkpoints/restore', { sessionId, checkpointId: second.id, conversation: true });
  assert.deepEqual(result.restored, ['a.txt', 'b.txt']);
  assert.deepEqual(result.kept, []);
  assert.ok(result.undoCheckpointId);
  assert.equal(await fs.readFile(path.join(repo, 'a.txt'), 'utf8'), 'one\n');
  await assert.rejects(fs.stat(path.join(repo, 'b.txt')), /ENOENT/);

  // The restore shows as an edit tool call with the diffs, for the client's review.
  const calls = client
    .updatesOf(sessionId, 'tool_call')
    .filter((c) => c.title.startsWith('Restore checkpoint'));
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.kind, 'edit');
  const done = client
    .updatesOf(sessionId, 'tool_call_update')
    .find((u) => u.toolCallId === calls[0]!.toolCallId && u.status === 'completed');
  assert.deepEqual(
    done?.content?.map((c) => (c.type === 'diff' ? [path.basename(c.path), c.oldText, c.newText] : c.type)),
    [
      ['a.txt', 'two\n', 'one\n'],
      ['b.txt', 'bee\n', ''],
    ],
  );

  // The fork has the conversation before "second": its next request sees "first" only.
  assert.ok(result.forkSessionId && result.forkSessionId !== sessionId);
  await client.prompt(result.forkSessionId, 'again');
  const sent = model.requests.at(-1)!.messages as { role: string; content: unknown }[];
  assert.deepEqual(
    sent.filter((m) => m.role === 'user').map((m) => m.content),
    ['first', 'again'],
  );
});

test('a hand edit the user keeps is shown as a rejected part of the restore, never as restored', async (t) => {
  const { repo, client, sessionId } = await twoTurns(t, (req) =>
    Promise.resolve(req.toolCall.title?.startsWith('Overwrite') ? 'reject_once' : 'allow_once'),
  );
  await fs.writeFile(path.join(repo, 'a.txt'), 'mine\n');
  const { checkpoints } = await client.extRequest<CheckpointListing>('_cairn/checkpoints/list', {
    sessionId,
  });
  const preview = await client.extRequest<{ files: PreviewFile[] }>('_cairn/checkpoints/preview', {
    sessionId,
    checkpointId: checkpoints[0]!.id,
  });
  assert.equal(preview.files.find((f) => f.path === 'a.txt')?.handEdited, true);
  const result = await client.extRequest<{ restored: string[]; kept: string[] }>(
    '_cairn/checkpoints/restore',
    {
      sessionId,
      checkpointId: checkpoints[0]!.id,
      conversation: false,
    },
  );
  assert.deepEqual(result, {
    restored: ['b.txt'],
    kept: ['a.txt'],
    undoCheckpointId: (result as { undoCheckpointId?: string }).undoCheckpointId,
  });
  assert.equal(await fs.readFile(path.join(repo, 'a.txt'), 'utf8'), 'mine\n');
  const kept = client.updatesOf(sessionId, 'tool_call').find((c) => c.title.startsWith('Kept 1 file'));
  assert.ok(kept);
  const end = client.updatesOf(sessionId, 'tool_call_update').find((u) => u.toolCallId === kept.toolCallId);
  assert.equal(end?.status, 'failed');
  assert.equal((end?._meta as { cairn?: { outcome?: string } }).cairn?.outcome, 'rejected');
});

test('an unknown checkpoint is invalid params; checkpoints of an unknown session, session not found', async (t) => {
  const { client, sessionId } = await twoTurns(t);
  await assert.rejects(
    client.extRequest('_cairn/checkpoints/preview', { sessionId, checkpointId: 'nope' }),
    (err: { code: number; message: string }) => err.code === -32602 && /no checkpoint nope/.test(err.message),
  );
  await assert.rejects(client.extRequest('_cairn/checkpoints/list', { sessionId: 'missing' }), /not found/i);
  await assert.rejects(client.extRequest('_cairn/checkpoints/restore', { sessionId }), /checkpointId/);
});

test('/rewind N --conversation restores the files and continues the conversation before that prompt in a new session', async (t) => {
  const { repo, client, sessionId, model } = await twoTurns(t);
  await client.prompt(sessionId, '/rewind 1 --conversation');
  const reply = client
    .updatesOf(sessionId, 'agent_message_chunk')
    .map((u) => (u.content.type === 'text' ? u.content.text : ''))
    .join('');
  const forkId = /goes on in a new session, ([0-9a-f-]{36})/.exec(reply)?.[1];
  assert.ok(forkId, reply);
  assert.equal(await fs.readFile(path.join(repo, 'a.txt'), 'utf8'), 'one\n');
  await client.prompt(forkId, 'again');
  const sent = model.requests.at(-1)!.messages as { role: string; content: unknown }[];
  assert.deepEqual(
    sent.filter((m) => m.role === 'user').map((m) => m.content),
    ['first', 'again'],
  );
});
