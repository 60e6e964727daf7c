import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { SessionNotification } from '@agentclientprotocol/sdk';
import { makeHost } from './host-harness.js';

const none = {} as Record<string, never>;

function agentText(sent: { method: string; params: unknown }[]): string {
  return sent
    .filter((s) => s.method === 'session/update')
    .map((s) => (s.params as SessionNotification).update)
    .map((u) =>
      u.sessionUpdate === 'agent_message_chunk' && u.content.type === 'text' ? u.content.text : '',
    )
    .join('');
}

test('ready starts the agent and a session; a prompt streams updates and ends the turn', async () => {
  const h = makeHost();
  const ready = await h.host.handlers.ready(none);
  assert.equal(ready.transcript.length, 0);
  await h.next('chat/reset');
  assert.equal(h.host.state.activity, 'idle');
  assert.equal(h.host.state.modes?.currentModeId, 'ask');
  assert.equal(h.host.state.canLoadSessions, true);

  const result = await h.host.handlers.prompt({ text: 'hello agent', context: [] });
  assert.equal(result.stopReason, 'end_turn');
  assert.equal(agentText(h.sent), 'Hi there');
  assert.deepEqual(
    h.host.state.commands.map((c) => c.name),
    ['memory'],
  );
  const ended = h.sent.find((s) => s.method === 'turn/ended')?.params;
  assert.deepEqual(ended, { sessionId: h.host.state.sessionId, stopReason: 'end_turn', error: null });
  // A reloaded webview gets the user's prompt and the answer back.
  const again = await h.host.handlers.ready(none);
  assert.equal(again.transcript[0]?.update.sessionUpdate, 'user_message_chunk');
  assert.ok(again.transcript.some((n) => n.update.sessionUpdate === 'agent_message_chunk'));
});

test('@file mentions and selections are sent as ACP resource content', async () => {
  const h = makeHost();
  await h.host.handlers.prompt({
    text: 'hello with context',
    context: [
      { kind: 'file', path: h.file, relPath: 'a.txt' },
      { kind: 'selection', path: h.file, relPath: 'a.txt', startLine: 1, endLine: 1, text: 'old' },
    ],
  });
  const prompt = h.fake.log.prompts[0] as { type: string; resource?: { uri: string; text: string } }[];
  assert.equal(prompt[1]?.type, 'resource');
  assert.equal(prompt[1]?.resource?.text, 'old text\n');
  assert.match(prompt[2]?.resource?.uri ?? '', /a\.txt#L1-L1$/);
});

test('an image to an agent without image support goes as a note, and the user is told', async () => {
  const h = makeHost();
  await h.host.handlers.ready(none);
  await h.next('chat/reset');
  assert.equal(h.host.state.images, false, 'the fake agent does not advertise promptCapabilities.image');
  await h.host.handlers.prompt({
    text: 'what is this',
    context: [{ kind: 'image', name: 'shot.png', mimeType: 'image/png', data: 'iVBORw0KGgo=', bytes: 8 }],
  });
  const prompt = h.fake.log.prompts[0] as { type: string; text?: string }[];
  assert.deepEqual(
    prompt.map((b) => b.type),
    ['text', 'text'],
  );
  assert.match(prompt[1]?.text ?? '', /shot\.png; it was not sent: this agent does not accept images/);
  const notice = h.sent.find((s) => s.method === 'notice')?.params as { level: string; message: string };
  assert.equal(notice.level, 'warning');
  assert.match(notice.message, /shot\.png was not sent/);
});

test('references and folders for the @ picker come from the editor', async () => {
  const h = makeHost();
  const found = await h.host.handlers.mentionFiles({ query: 'a' });
  assert.deepEqual(found.folders, [{ path: h.root, relPath: './' }]);
  const { item } = await h.host.handlers.resolveReference({ ref: 'problems' });
  assert.equal(item.text, 'problems from the editor');
});

test('an accepted write review changes the file; the agent is told it succeeded', async () => {
  const h = makeHost();
  await h.host.handlers.ready(none);
  const opened = h.next('review/opened');
  const turn = h.host.handlers.prompt({ text: 'edit it', context: [] });
  const card = await opened;
  assert.equal(card.source, 'write');
  assert.equal(card.toolCallId, 'edit-1');
  assert.equal(card.relPath, 'a.txt');
  assert.equal(h.host.state.activity, 'awaiting_approval');
  assert.equal(readFileSync(h.file, 'utf8'), 'old text\n', 'nothing is written before Accept');
  assert.equal(h.shown[0]?.currentText, 'old text\n');

  await h.host.handlers.acceptEdit({ reviewId: card.reviewId });
  await turn;
  assert.equal(readFileSync(h.file, 'utf8'), 'new text\n');
  assert.deepEqual(h.fake.log.writeErrors, []);
  assert.deepEqual(h.closed, [card.reviewId]);
});

test('a rejected write leaves the file untouched and the agent is told it was not changed', async () => {
  const h = makeHost();
  const opened = h.next('review/opened');
  const turn = h.host.handlers.prompt({ text: 'edit it', context: [] });
  const card = await opened;
  await h.host.handlers.rejectEdit({ reviewId: card.reviewId });
  await turn;
  assert.equal(readFileSync(h.file, 'utf8'), 'old text\n');
  assert.match(h.fake.log.writeErrors[0] ?? '', /rejected this edit.*not changed/);
});

test('unsaved editor changes are shown in the review, and a change during review redraws it', async () => {
  const h = makeHost();
  h.dirty.set(h.file, 'my unsaved work\n');
  const opened = h.next('review/opened');
  const turn = h.host.handlers.prompt({ text: 'edit it', context: [] });
  const card = await opened;
  assert.equal(card.hadUnsavedChanges, true);
  assert.equal(h.shown[0]?.currentText, 'my unsaved work\n');

  h.dirty.set(h.file, 'typed more\n');
  const redrawn = h.next('review/opened');
  await h.host.handlers.acceptEdit({ reviewId: card.reviewId });
  assert.equal((await redrawn).reviewId, card.reviewId);
  assert.equal(readFileSync(h.file, 'utf8'), 'old text\n', 'a stale accept writes nothing');
  await h.host.handlers.acceptEdit({ reviewId: card.reviewId });
  await turn;
  assert.equal(readFileSync(h.file, 'utf8'), 'new text\n');
});

test('auto-approved edits apply without a review, but never over unsaved changes', async () => {
  const h = makeHost({ autoApprove: { reads: false, edits: true } });
  await h.host.handlers.prompt({ text: 'edit it', context: [] });
  assert.equal(readFileSync(h.file, 'utf8'), 'new text\n');
  assert.equal(h.shown.length, 0);

  const h2 = makeHost({ autoApprove: { reads: false, edits: true } });
  h2.dirty.set(h2.file, 'unsaved\n');
  const opened = h2.next('review/opened');
  const turn = h2.host.handlers.prompt({ text: 'edit it', context: [] });
  await h2.host.handlers.rejectEdit({ reviewId: (await opened).reviewId });
  await turn;
  assert.equal(readFileSync(h2.file, 'utf8'), 'old text\n');
});

test('a permission request with a diff opens a review; Accept picks allow and the write is not reviewed twice', async () => {
  const h = makeHost();
  const asked = h.next('permission/requested');
  const opened = h.next('review/opened');
  const turn = h.host.handlers.prompt({ text: 'permit edit', context: [] });
  const card = await asked;
  const review = await opened;
  assert.equal(review.source, 'permission');
  assert.deepEqual(
    card.options.map((o) => o.optionId),
    ['yes', 'no'],
  );
  await h.host.handlers.acceptEdit({ reviewId: review.reviewId });
  await turn;
  assert.deepEqual(h.fake.log.permissionOutcomes, [{ outcome: 'selected', optionId: 'yes' }]);
  assert.equal(readFileSync(h.file, 'utf8'), 'approved text\n');
  assert.equal(h.shown.length, 1, 'one diff for one edit');
});

test('answering the card of a diff permission closes its review', async () => {
  const h = makeHost();
  const asked = h.next('permission/requested');
  const opened = h.next('review/opened');
  const turn = h.host.handlers.prompt({ text: 'permit edit', context: [] });
  const card = await asked;
  await opened;
  const resolved = h.next('review/resolved');
  await h.host.handlers.answerPermission({ requestId: card.requestId, optionId: 'no' });
  assert.equal((await resolved).outcome, 'cancelled');
  await turn;
  assert.deepEqual(h.fake.log.permissionOutcomes, [{ outcome: 'selected', optionId: 'no' }]);
  assert.equal(readFileSync(h.file, 'utf8'), 'old text\n');
});

test('a command approval runs the command in a client terminal within the byte limit', async () => {
  const h = makeHost();
  const asked = h.next('permission/requested');
  const turn = h.host.handlers.prompt({ text: 'run it', context: [] });
  const card = await asked;
  assert.deepEqual(
    card.options.map((o) => o.kind),
    ['allow_once', 'allow_always', 'reject_once'],
  );
  await assert.rejects(
    h.host.handlers.answerPermission({ requestId: card.requestId, optionId: 'made-up' }),
    /not one of the options/,
  );
  await h.host.handlers.answerPermission({ requestId: card.requestId, optionId: 'once' });
  await turn;
  const [result] = h.fake.log.terminalResults;
  // "abcdefghij" + "ééé" is 16 bytes; the agent asked for the last 8.
  assert.equal(result?.output, 'ijééé');
  assert.equal(result?.truncated, true);
  assert.equal(result?.exitCode, 0);
  assert.equal(h.started.length, 1, 'the user can watch the command');
});

test('reads and edits may be auto-approved; commands never are', async () => {
  const h = makeHost({ autoApprove: { reads: true, edits: true } });
  const asked = h.next('permission/requested');
  const turn = h.host.handlers.prompt({ text: 'run it', context: [] });
  await h.host.handlers.answerPermission({ requestId: (await asked).requestId, optionId: 'reject' });
  await turn;
  assert.deepEqual(h.fake.log.permissionOutcomes, [{ outcome: 'selected', optionId: 'reject' }]);
});

test('Stop sends session/cancel and cancels pending approvals', async () => {
  const h = makeHost();
  const asked = h.next('permission/requested');
  const turn = h.host.handlers.prompt({ text: 'run it', context: [] });
  await asked;
  const resolved = h.next('permission/resolved');
  await h.host.handlers.cancel(none);
  assert.equal((await resolved).optionId, null);
  await turn;
  assert.deepEqual(h.fake.log.permissionOutcomes, [{ outcome: 'cancelled' }]);

  const waiting = h.host.handlers.prompt({ text: 'wait forever', context: [] });
  await h.next('state');
  await h.host.handlers.cancel(none);
  assert.equal((await waiting).stopReason, 'cancelled');
  assert.equal(h.fake.log.cancels.length, 2);
});

test('sessions are listed and resumed with their history replayed', async () => {
  const h = makeHost();
  await h.host.handlers.prompt({ text: 'hello first', context: [] });
  const first = h.host.state.sessionId!;
  const { sessionId: second } = await h.host.handlers.newChat(none);
  assert.notEqual(second, first);
  assert.equal(h.host.session.transcript.length, 0);

  const { sessions } = await h.host.handlers.listSessions({});
  assert.deepEqual(
    sessions.map((s) => s.sessionId),
    [first, second],
  );
  await h.host.handlers.loadSession({ sessionId: first });
  assert.equal(h.host.state.sessionId, first);
  assert.equal(h.host.state.sessionTitle, `Chat ${first}`, 'the listed title is kept');
  const reset = h.sent.filter((s) => s.method === 'chat/reset').at(-1)?.params;
  assert.deepEqual(reset, { sessionId: first, reason: 'load' });
  assert.ok(h.host.session.transcript.some((n) => n.update.sessionUpdate === 'agent_message_chunk'));
});

test('a crash shows in the state; restart reloads the session', async () => {
  const h = makeHost();
  await h.host.handlers.prompt({ text: 'hello', context: [] });
  const sessionId = h.host.state.sessionId;
  h.launches[0]!.crash(3);
  await h.next('state');
  assert.equal(h.host.state.activity, 'stopped');
  assert.match(h.host.state.exit?.message ?? '', /crashed with 3/);

  await h.host.handlers.restartAgent(none);
  assert.equal(h.launches.length, 2);
  assert.equal(h.host.state.activity, 'idle');
  assert.equal(h.host.state.sessionId, sessionId);
  assert.deepEqual(h.fake.log.loads, [sessionId]);
  assert.equal(agentText(h.sent.slice(h.sent.findLastIndex((s) => s.method === 'chat/reset'))), 'Hi there');
});

test('a crash in the middle of a review cancels it and leaves the file alone', async () => {
  const h = makeHost();
  const opened = h.next('review/opened');
  const turn = h.host.handlers.prompt({ text: 'edit', context: [] });
  const card = await opened;
  const resolved = h.next('review/resolved');
  h.launches[0]!.crash(1);
  assert.deepEqual(await resolved, { reviewId: card.reviewId, outcome: 'cancelled' });
  await assert.rejects(turn);
  assert.equal(readFileSync(h.file, 'utf8'), 'old text\n');
});

test('mode and config option changes go to the agent and into the state', async () => {
  const h = makeHost();
  await h.host.handlers.ready(none);
  await h.next('chat/reset');
  await h.host.handlers.setMode({ modeId: 'auto' });
  assert.equal(h.host.state.modes?.currentModeId, 'auto');
  await h.host.handlers.setConfigOption({ configId: 'model', value: 'large' });
  assert.equal(h.host.state.configOptions[0]?.currentValue, 'large');
});

test('an edit permission with a diff shows its review card first: never a plain permission card alone', async () => {
  const h = makeHost();
  const asked = h.next('permission/requested');
  const turn = h.host.handlers.prompt({ text: 'permit edit', context: [] });
  const card = await asked;
  const order = h.sent
    .map((s) => s.method)
    .filter((m) => m === 'permission/requested' || m === 'review/opened');
  assert.deepEqual(order, ['review/opened', 'permission/requested']);
  const review = h.sent.find((s) => s.method === 'review/opened')!.params as { toolCallId: string };
  assert.equal(review.toolCallId, card.toolCall.toolCallId, 'the webview merges them into one card');
  await h.host.handlers.answerPermission({ requestId: card.requestId, optionId: 'no' });
  await turn;
});

test('the first prompt names the chat as it is sent; the agent’s title refines it later', async () => {
  const h = makeHost();
  await h.host.handlers.ready(none);
  await h.next('chat/reset');
  assert.equal(h.host.state.sessionTitle, null);
  const echoed = h.next('chat/userPrompt');
  const turn = h.host.handlers.prompt({ text: '\n  hello   there\nsecond line', context: [] });
  await echoed;
  const stateAfterEcho = await h.next('state');
  assert.equal(stateAfterEcho.sessionTitle, 'hello there', 'named before the turn ends');
  await turn;
  await h.host.handlers.prompt({ text: 'hello again', context: [] });
  assert.equal(h.host.state.sessionTitle, 'hello there', 'later prompts do not rename it');
  await h.host.handlers.prompt({ text: 'name it', context: [] });
  assert.equal(h.host.state.sessionTitle, 'Named by the agent');
});

test('warm-up (the view opened) and ready at once start one server and one session', async () => {
  const h = makeHost();
  h.host.warmUp();
  const ready = h.host.handlers.ready(none);
  await h.next('chat/reset');
  await ready;
  await h.host.handlers.prompt({ text: 'hello', context: [] });
  assert.equal(h.launches.length, 1);
  assert.equal(h.sent.filter((s) => s.method === 'chat/reset').length, 1, 'one session/new');
});
