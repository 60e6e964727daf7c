// The chat host's conversation control against the fake agent: prompts queued during a turn,
// steer, Stop with a queue, fork from a message, rename, and checkpoint preview and restore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostNotifications } from '../../../shared/webview-protocol.js';
import { makeHost } from './host-harness.js';

/** Lets the protocol messages in flight arrive until `check` holds (bounded by rounds, not time). */
async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (check()) return;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`never happened: ${what}`);
}

type H = ReturnType<typeof makeHost>;

function sentOf<M extends keyof HostNotifications>(h: H, method: M): HostNotifications[M][] {
  return h.sent.filter((s) => s.method === method).map((s) => s.params as HostNotifications[M]);
}

function promptTexts(h: H): string[] {
  return h.fake.log.prompts.map((p) => (p[0] as { text: string }).text);
}

/** The transcript order of the user's prompts and the turns' ends, as the panel sees it. */
function timeline(h: H): string[] {
  return h.sent.flatMap((s) => {
    if (s.method === 'chat/userPrompt') return [`you: ${(s.params as { text: string }).text}`];
    if (s.method === 'turn/ended') return [`ended: ${(s.params as { stopReason: string }).stopReason}`];
    return [];
  });
}

test('a prompt sent during a turn is queued: listed until its turn begins, then answered in order', async () => {
  const h = makeHost();
  const first = h.host.handlers.prompt({ text: 'hold first', context: [] });
  await until('the first turn runs', () => h.host.state.activity === 'working');
  const second = h.host.handlers.prompt({ text: 'second', context: [] });
  await until('the second is queued', () => h.host.state.queue.length === 1);
  assert.equal(h.host.state.queue[0]?.text, 'second');
  assert.deepEqual(timeline(h), ['you: hold first'], 'a queued prompt is not in the transcript yet');

  h.fake.release();
  assert.equal((await first).stopReason, 'end_turn');
  assert.equal((await second).stopReason, 'end_turn');
  assert.deepEqual(timeline(h), ['you: hold first', 'ended: end_turn', 'you: second', 'ended: end_turn']);
  assert.deepEqual(promptTexts(h), ['hold first', 'second']);
  assert.deepEqual(h.host.state.queue, []);
  assert.equal(h.host.state.activity, 'idle');
});

test('a queued prompt can be withdrawn: the agent drops it and the rest still run', async () => {
  const h = makeHost();
  const first = h.host.handlers.prompt({ text: 'hold first', context: [] });
  await until('the first turn runs', () => h.host.state.activity === 'working');
  const two = h.host.handlers.prompt({ text: 'two', context: [] });
  const three = h.host.handlers.prompt({ text: 'three', context: [] });
  await until('both queued', () => h.host.state.queue.length === 2);
  const [queuedTwo] = h.host.state.queue;
  await h.host.handlers.removeQueued({ id: queuedTwo!.id });
  assert.deepEqual(
    h.host.state.queue.map((q) => q.text),
    ['three'],
  );
  assert.equal((await two).stopReason, 'cancelled');
  await assert.rejects(h.host.handlers.removeQueued({ id: queuedTwo!.id }), /no longer queued/);

  h.fake.release();
  await first;
  await three;
  assert.deepEqual(promptTexts(h), ['hold first', 'three']);
  assert.deepEqual(timeline(h), ['you: hold first', 'ended: end_turn', 'you: three', 'ended: end_turn']);
});

test('steer sends /steer into the running turn, shows the message at once and does not queue it', async () => {
  const h = makeHost();
  await h.host.handlers.prompt({ text: 'offer commands', context: [] });
  assert.equal(h.host.state.canSteer, true);
  const running = h.host.handlers.prompt({ text: 'hold on', context: [] });
  await until('the turn runs', () => h.host.state.activity === 'working');

  const steered = await h.host.handlers.prompt({ text: 'look at b.ts too', context: [], mode: 'steer' });
  assert.equal(steered.stopReason, 'end_turn');
  assert.deepEqual(h.fake.log.steers, ['look at b.ts too']);
  assert.deepEqual(h.host.state.queue, []);
  assert.equal(h.host.state.activity, 'working', 'the turn goes on');
  const echoed = sentOf(h, 'chat/userPrompt').at(-1);
  assert.equal(echoed?.text, 'look at b.ts too');
  assert.equal(echoed?.steered, true);
  await assert.rejects(
    h.host.handlers.prompt({
      text: 'and this',
      context: [{ kind: 'url', url: 'https://example.com' }],
      mode: 'steer',
    }),
    /text only/,
  );
  h.fake.release();
  await running;
  // With no turn running, a steer is an ordinary prompt.
  await h.host.handlers.prompt({ text: 'plain now', context: [], mode: 'steer' });
  assert.equal(promptTexts(h).at(-1), 'plain now');
});

test('Stop with queued prompts: keep sends them again after the stop, discard drops them', async () => {
  const h = makeHost();
  const first = h.host.handlers.prompt({ text: 'hold first', context: [] });
  await until('the turn runs', () => h.host.state.activity === 'working');
  void h.host.handlers.prompt({ text: 'two', context: [] });
  void h.host.handlers.prompt({ text: 'three', context: [] });
  await until('both queued', () => h.host.state.queue.length === 2);
  await h.host.handlers.cancel({ queued: 'keep' });
  assert.equal((await first).stopReason, 'cancelled');
  await until('both kept prompts ran', () => promptTexts(h).length === 3);
  await until('idle', () => h.host.state.activity === 'idle');
  assert.deepEqual(promptTexts(h), ['hold first', 'two', 'three']);
  assert.deepEqual(timeline(h), [
    'you: hold first',
    'ended: cancelled',
    'you: two',
    'ended: end_turn',
    'you: three',
    'ended: end_turn',
  ]);

  const again = h.host.handlers.prompt({ text: 'hold again', context: [] });
  await until('the turn runs', () => h.host.state.activity === 'working');
  const dropped = h.host.handlers.prompt({ text: 'four', context: [] });
  await until('queued', () => h.host.state.queue.length === 1);
  await h.host.handlers.cancel({ queued: 'discard' });
  assert.deepEqual(h.host.state.queue, []);
  assert.equal((await again).stopReason, 'cancelled');
  assert.equal((await dropped).stopReason, 'cancelled');
  await until('idle', () => h.host.state.activity === 'idle');
  assert.equal(promptTexts(h).includes('four'), false);
  assert.equal(timeline(h).filter((t) => t === 'ended: cancelled').length, 2, 'one Stopped per stopped turn');
});

test('fork before a user message switches to the fork, replays what came before, and prefills that message', async () => {
  const h = makeHost();
  await h.host.handlers.prompt({ text: 'hello one', context: [] });
  await h.host.handlers.prompt({ text: 'hello two', context: [] });
  const source = h.host.state.sessionId!;
  assert.equal(h.host.state.canFork, true);

  const { sessionId } = await h.host.handlers.forkSession({ userMessage: 1, text: 'hello two' });
  assert.notEqual(sessionId, source);
  assert.deepEqual(h.fake.log.forks, [{ sessionId: source, beforeUserMessage: 1 }]);
  assert.equal(h.host.state.sessionId, sessionId);
  assert.deepEqual(sentOf(h, 'chat/reset').at(-1), { sessionId, reason: 'fork' });
  assert.deepEqual(sentOf(h, 'composer/setDraft').at(-1), { text: 'hello two' });
  const users = h.host.session.transcript
    .filter((n) => n.update.sessionUpdate === 'user_message_chunk')
    .map((n) => (n.update as { content: { text: string } }).content.text);
  assert.deepEqual(users, ['hello one']);
});

test('rename uses session/set_title, or /title for the open chat when the agent has no set_title', async () => {
  const h = makeHost();
  await h.host.handlers.prompt({ text: 'hello', context: [] });
  const id = h.host.state.sessionId!;
  assert.equal(h.host.state.canRename, true);
  await h.host.handlers.renameSession({ sessionId: id, title: '  Better   name ' });
  assert.deepEqual(h.fake.log.titles, [{ sessionId: id, title: 'Better name' }]);
  assert.equal(h.host.state.sessionTitle, 'Better name');
  await assert.rejects(h.host.handlers.renameSession({ sessionId: id, title: '  ' }), /empty/);

  const old = makeHost({ unstable: false });
  await old.host.handlers.prompt({ text: 'hello', context: [] });
  const openId = old.host.state.sessionId!;
  assert.equal(old.host.state.canRename, false);
  await assert.rejects(old.host.handlers.renameSession({ sessionId: openId, title: 'x' }), /cannot rename/);
  await old.host.handlers.prompt({ text: 'offer commands', context: [] });
  assert.equal(old.host.state.canRename, true);
  await assert.rejects(
    old.host.handlers.renameSession({ sessionId: 'other', title: 'x' }),
    /only the open chat/,
  );
  await old.host.handlers.renameSession({ sessionId: openId, title: 'By command' });
  assert.deepEqual(old.fake.log.titles, [{ sessionId: openId, title: 'By command' }]);
  assert.equal(old.host.state.sessionTitle, 'By command');
  assert.equal(old.host.state.canFork, false);
  await assert.rejects(old.host.handlers.forkSession({ userMessage: 0, text: '' }), /cannot fork/);
});

test('checkpoints: listed per session, previewed in the diff editors, restored with a notice in the chat', async () => {
  const h = makeHost({ autoApprove: { reads: false, edits: true } });
  await h.host.handlers.ready({});
  await h.host.handlers.prompt({ text: 'hello first', context: [] });
  await h.host.handlers.prompt({ text: 'edit the file', context: [] });
  const sessionId = h.host.state.sessionId!;
  await until('the checkpoint is known', () =>
    sentOf(h, 'checkpoints').some((c) => c.checkpoints.length > 0),
  );
  const [cp] = sentOf(h, 'checkpoints').at(-1)!.checkpoints;
  assert.equal(cp?.beforeUserMessage, 1);
  assert.equal(cp?.prompt, 'edit the file');
  assert.deepEqual(
    (await h.host.handlers.ready({})).checkpoints?.map((c) => c.id),
    [cp!.id],
  );

  const preview = await h.host.handlers.previewCheckpoint({ checkpointId: cp!.id });
  assert.deepEqual(preview.files, [
    { path: 'a.txt', action: 'restore', binary: false, handEdited: false },
    { path: 'b.txt', action: 'remove', binary: false, handEdited: true },
  ]);
  assert.equal(h.previews.length, 1, 'the multi-file diff opened');
  assert.match(h.previews[0]!.title, /edit the file/);
  assert.deepEqual(
    h.previews[0]!.files.map((f) => [f.current, f.restored]),
    [
      ['new text\n', 'old text\n'],
      ['made by a command\n', null],
    ],
  );
  await h.host.handlers.showCheckpointDiff({ checkpointId: cp!.id, path: 'b.txt' });
  assert.equal(h.diffs[0]?.path, 'b.txt');
  await assert.rejects(h.host.handlers.showCheckpointDiff({ checkpointId: 'other', path: 'b.txt' }), /again/);

  const files = await h.host.handlers.restoreCheckpoint({ checkpointId: cp!.id, conversation: false });
  assert.deepEqual(files, { restored: ['a.txt'], kept: ['b.txt'], forkSessionId: null });
  assert.equal(h.host.state.sessionId, sessionId, 'files only: the chat stays');
  assert.deepEqual(sentOf(h, 'chat/notice').at(-1), {
    sessionId,
    level: 'info',
    text: 'Restored 1 file from the checkpoint; kept 1 file as they are (b.txt).',
  });

  const both = await h.host.handlers.restoreCheckpoint({
    checkpointId: cp!.id,
    conversation: true,
    text: 'edit the file',
  });
  assert.ok(both.forkSessionId);
  assert.deepEqual(h.fake.log.restores, [
    { checkpointId: cp!.id, conversation: false },
    { checkpointId: cp!.id, conversation: true },
  ]);
  assert.equal(h.host.state.sessionId, both.forkSessionId, 'with the conversation: the panel shows the fork');
  assert.deepEqual(sentOf(h, 'chat/reset').at(-1), { sessionId: both.forkSessionId, reason: 'fork' });
  assert.deepEqual(sentOf(h, 'composer/setDraft').at(-1), { text: 'edit the file' });
  const notice = sentOf(h, 'chat/notice').at(-1)!;
  assert.equal(notice.sessionId, both.forkSessionId);
  assert.match(notice.text, /continues in a fork/);
});

test('no checkpoint preview or restore while a turn runs', async () => {
  const h = makeHost();
  const running = h.host.handlers.prompt({ text: 'hold it', context: [] });
  await until('the turn runs', () => h.host.state.activity === 'working');
  await assert.rejects(h.host.handlers.previewCheckpoint({ checkpointId: 'cp1' }), /Stop the running turn/);
  await assert.rejects(
    h.host.handlers.restoreCheckpoint({ checkpointId: 'cp1', conversation: false }),
    /Stop the running turn/,
  );
  h.fake.release();
  await running;
});
