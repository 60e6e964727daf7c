import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CheckpointStore, checkpointSettings } from '../../../agent-server/checkpoints/index.js';
import type { ChatRequestBody, ScriptStep } from '../../../agent-server/demo/scripted-model-server.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';
import { delegateCall, isChild, lastRole, systemText } from './child-script.js';

// A child starts from what its parent already loaded (no second read of skills, memory or
// instructions, no checkpoint of its own): that is what makes it cheap to start.

const skill = (name: string) =>
  `---\nname: ${name}\ndescription: The ${name} skill of this project\n---\nDo it the ${name} way.\n`;

test("a child's prompt holds its parent's snapshot of instructions and skills, not a fresh read", async (t) => {
  const repo = await tempDir('child-start');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  await fs.writeFile(path.join(repo, 'AGENTS.md'), 'Instructions as loaded: ORIGINAL-RULES\n');
  await fs.mkdir(path.join(repo, '.cairn/skills/house-style'), { recursive: true });
  await fs.writeFile(path.join(repo, '.cairn/skills/house-style/SKILL.md'), skill('house-style'));

  const script = (body: ChatRequestBody): ScriptStep => {
    if (isChild(body)) return { text: 'done' };
    if (lastRole(body) === 'tool') return { text: 'ok' };
    return delegateCall([{ goal: 'Look around' }]);
  };
  const model = new ScriptedModelClient(script);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const parent = await fx.host.create(fx.bindings, { cwd: repo });
  // What a client's warm-up does right after the answer: the session reads them now.
  await parent.ready();

  // Changed on disk after the parent loaded them: the parent's prompt keeps the old ones.
  await fs.writeFile(path.join(repo, 'AGENTS.md'), 'Instructions changed: LATER-RULES\n');
  await fs.mkdir(path.join(repo, '.cairn/skills/late-skill'), { recursive: true });
  await fs.writeFile(path.join(repo, '.cairn/skills/late-skill/SKILL.md'), skill('late-skill'));
  await parent.prompt({ role: 'user', content: 'go' });

  const child = systemText(model.requests.find(isChild)!);
  assert.match(child, /ORIGINAL-RULES/);
  assert.match(child, /house-style/);
  assert.doesNotMatch(child, /LATER-RULES/);
  assert.doesNotMatch(child, /late-skill/);
});

test("an edit child's change belongs to the parent's turn checkpoint: /undo in the parent puts it back", async (t) => {
  const repo = await tempDir('child-start');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  await fs.writeFile(path.join(repo, 'a.txt'), 'before\n');
  const script = (body: ChatRequestBody): ScriptStep => {
    if (isChild(body))
      return lastRole(body) === 'tool'
        ? { text: 'Edited.' }
        : { toolCalls: [{ name: 'write_file', arguments: { path: 'a.txt', content: 'after\n' } }] };
    if (lastRole(body) === 'tool') return { text: 'ok' };
    return delegateCall([{ goal: 'Change a.txt', toolset: 'edit' }]);
  };
  const fx = await runtimeFixture({ model: new ScriptedModelClient(script) });
  t.after(() => fx.cleanup());
  const parent = await fx.host.create(fx.bindings, { cwd: repo, mode: 'auto' });
  await parent.prompt({ role: 'user', content: 'change it through a child' });
  assert.equal(await fs.readFile(path.join(repo, 'a.txt'), 'utf8'), 'after\n');

  let reply = '';
  parent.subscribe((e) => {
    if (e.type === 'command_reply') reply = e.text;
  });
  await parent.prompt({ role: 'user', content: '/undo' });
  assert.match(reply, /a\.txt/);
  assert.equal(await fs.readFile(path.join(repo, 'a.txt'), 'utf8'), 'before\n');

  // One checkpoint, the parent's turn: the child made none of its own.
  const store = await CheckpointStore.open(
    fx.services.home,
    repo,
    checkpointSettings(fx.services.config.checkpoints),
  );
  const turns = (await store.list()).filter((c) => c.kind === 'turn');
  assert.deepEqual(
    turns.map((c) => [c.sessionId, c.label]),
    [[parent.id, 'change it through a child']],
  );
});
