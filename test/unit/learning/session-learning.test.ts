import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  createSessionLearning,
  parseLoadedLearning,
} from '../../../agent-server/learning/session-learning.js';
import { createSessionMemory } from '../../../agent-server/memory/session-memory.js';
import { InMemoryMemoryStore } from '../../../agent-server/memory/in-memory-store.js';
import { createSessionSkills, loadSkillCatalog } from '../../../agent-server/skills/index.js';
import { InMemoryHistoryStore } from '../../../agent-server/history/in-memory-store.js';
import { conversationFromRecords } from '../../../agent-server/history/conversation-records.js';
import {
  PermissionGate,
  type PermissionAnswer,
  type PermissionRequest,
} from '../../../agent-server/permissions/gate.js';
import { MemoryPermissionRules } from '../../../agent-server/runtime/permission-rules.js';
import { permissionOptions } from '../../../agent-server/acp/client-prompter.js';
import { InMemorySkillUsage } from '../../../agent-server/skills/usage.js';
import { MemoryUsage } from '../../../agent-server/memory/memory-usage.js';
import { bundledSkillsDir } from '../../../agent-server/config/package-root.js';

const FORGET_SHAPE: PermissionRequest = {
  toolCallId: 'x',
  toolName: 'memory',
  category: 'edit',
  kind: 'delete',
  title: 'Forget?',
  ruleKey: 'memory:forget',
  askEveryTime: true,
};
import type { ChatMessage } from '../../../agent-server/core/messages.js';

const origin = { sessionId: 'old-1', date: '2025-01-01T00:00:00Z', project: '/p', prompt: 'learn it' };

async function setup(answers: PermissionAnswer[] = []) {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-learning-'));
  const limits = { memoryCharLimit: 2200, userCharLimit: 1400 };
  const store = new InMemoryMemoryStore(limits);
  await store.edit('project', 'memory', { action: 'add', content: 'Run tests with make check.' }, origin);
  await store.edit('global', 'user', { action: 'add', content: 'Prefers small commits.' });
  const memory = await createSessionMemory({ home, cwd: home, limits, store });
  const skills = createSessionSkills({ catalog: await loadSkillCatalog({ home }), home });
  const asked: PermissionRequest[] = [];
  const gate = new PermissionGate(
    () => 'auto',
    { ask: async (r) => (asked.push(r), answers.shift() ?? 'reject_once') },
    new MemoryPermissionRules(),
  );
  const messages: ChatMessage[] = [{ role: 'user', content: '\n  Fix the build\nthen push' }];
  const learning = createSessionLearning({
    sessionId: 'live-2',
    cwd: '/work/app',
    home,
    memory,
    skills,
    gate,
    messages: () => messages,
    log: () => {},
  });
  const command = (name: string) => learning.commands.find((c) => c.name === name)!;
  return { learning, store, asked, command, home, memory };
}

test('provenance names this session, its project and the first line of the prompt being answered', async () => {
  const s = await setup();
  const p = s.learning.provenance();
  assert.deepEqual([p.sessionId, p.project, p.prompt], ['live-2', '/work/app', 'Fix the build']);
});

test('the memory loaded into a session is listed in its record, with provenance, and never read back to the model', async () => {
  const s = await setup();
  const history = new InMemoryHistoryStore();
  await history.createSession({ id: 'live-2', cwd: '/work/app' });
  await s.learning.recordLoaded(history, 'live-2');
  await s.learning.recordLoaded(history, 'live-2'); // once per session
  const records = await history.readSession('live-2');
  assert.equal(records.length, 1);
  const loaded = records[0]!.type === 'message' ? parseLoadedLearning(records[0]!.message) : undefined;
  assert.deepEqual(
    loaded?.memory.map((m) => [m.scope, m.entry, m.provenance?.sessionId]),
    [
      ['global', 'Prefers small commits.', undefined],
      ['project', 'Run tests with make check.', 'old-1'],
    ],
  );
  assert.deepEqual(conversationFromRecords(records), []);
});

test('/forget asks showing the entry; rejecting keeps it, allowing removes it', async () => {
  const s = await setup(['reject_once', 'allow_once']);
  const kept = await s.command('forget').run(undefined, 'make check');
  assert.match('reply' in kept ? kept.reply : '', /^Kept it/);
  assert.equal((await s.store.entries()).length, 2);
  assert.equal(s.asked.length, 1);
  assert.match(JSON.stringify(s.asked[0]!.content), /Run tests with make check\..*session old-1/);

  const gone = await s.command('forget').run(undefined, 'make check');
  assert.match('reply' in gone ? gone.reply : '', /^Forgot: Run tests with make check\./);
  assert.deepEqual(
    (await s.store.entries()).map((e) => e.text),
    ['Prefers small commits.'],
  );
  const none = await s.command('forget').run(undefined, 'nothing like this');
  assert.match('reply' in none ? none.reply : '', /No memory entry contains/);
});

test('/forget asks about every removal: no "always" option is offered, and an "always" answer is not remembered', async () => {
  const s = await setup(['allow_always', 'reject_always', 'allow_once']);
  await s.store.edit('project', 'memory', { action: 'add', content: 'Use tabs in Go files.' }, origin);
  const options = permissionOptions(FORGET_SHAPE).map((o) => o.kind);
  assert.deepEqual(options, ['allow_once', 'reject_once']);
  const first = await s.command('forget').run(undefined, 'make check');
  assert.match('reply' in first ? first.reply : '', /^Forgot/);
  assert.deepEqual(
    permissionOptions(s.asked[0]!).map((o) => o.kind),
    ['allow_once', 'reject_once'],
  );
  // "Always reject" from a client that sends it anyway refuses this one only.
  const second = await s.command('forget').run(undefined, 'tabs in Go');
  assert.match('reply' in second ? second.reply : '', /^Kept it/);
  const third = await s.command('forget').run(undefined, 'tabs in Go');
  assert.match('reply' in third ? third.reply : '', /^Forgot/);
  assert.equal(s.asked.length, 3, 'every removal was asked about');
  assert.ok(s.asked.every((r) => r.askEveryTime));
});

test('/review-learning gives the agent the entries with provenance and asks for reviewed changes', async () => {
  const s = await setup();
  const history = new InMemoryHistoryStore();
  await history.createSession({ id: 'live-2', cwd: '/work/app' });
  await s.learning.recordLoaded(history, 'live-2');
  const result = await s.command('review-learning').run(undefined, '');
  const prompt = 'prompt' in result ? result.prompt : '';
  assert.match(
    prompt,
    /from session old-1, 2025-01-01, \/p: "learn it"; in 1 sessions' prompts, last \d{4}-\d\d-\d\d\) Run tests with make check\./,
  );
  assert.match(prompt, /from by hand; in 1 sessions' prompts, last [\d-]+\) Prefers small commits\./);
  assert.match(prompt, /the user reviews and approves every change/);
});

test('/review-learning follows the bundled review-learning skill and counts its use', async () => {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-learning-'));
  const limits = { memoryCharLimit: 2200, userCharLimit: 1400 };
  const store = new InMemoryMemoryStore(limits);
  const memory = await createSessionMemory({ home, cwd: home, limits, store });
  const usage = new InMemorySkillUsage();
  const catalog = await loadSkillCatalog({ home, bundledDir: bundledSkillsDir() });
  const skills = createSessionSkills({ catalog, home, usage });
  const gate = new PermissionGate(
    () => 'ask',
    { ask: async () => 'reject_once' },
    new MemoryPermissionRules(),
  );
  const learning = createSessionLearning({
    sessionId: 's',
    cwd: home,
    home,
    memory,
    skills,
    gate,
    messages: () => [],
    log: () => {},
  });
  const result = await learning.commands
    .find((c) => c.name === 'review-learning')!
    .run(undefined, 'only the notes');
  const prompt = 'prompt' in result ? result.prompt : '';
  assert.match(prompt, /<skill name="review-learning" source="bundled">/);
  assert.match(prompt, /## 3\. Propose, then change one thing at a time/);
  assert.match(prompt, /Focus: only the notes$/);
  assert.equal((await usage.get(catalog.get('review-learning')!.usageKey))?.views, 1);
  // The skill is the agent's to load too, but /review-learning stays Cairn's own command.
  assert.ok(!skills.commands().some((c) => c.name === 'review-learning'));
});

test('each session that loads memory counts as a use of its entries (times used, last used)', async () => {
  const s = await setup();
  const history = new InMemoryHistoryStore();
  await history.createSession({ id: 'live-2', cwd: '/work/app' });
  await s.learning.recordLoaded(history, 'live-2');
  await s.learning.recordLoaded(history, 'live-2'); // once per session
  // A later session counts again.
  const usage = new MemoryUsage(s.home);
  const file = s.memory.snapshot.files.find((f) => f.scope === 'project' && f.target === 'memory')!;
  assert.equal((await usage.get(file.path, 'Run tests with make check.'))?.uses, 1);
  await usage.recordLoaded([{ file: file.path, entry: 'Run tests with make check.' }]);
  const record = await usage.get(file.path, 'Run tests with make check.');
  assert.equal(record?.uses, 2);
  assert.ok(Date.now() - Date.parse(record!.lastUsed) < 24 * 3600 * 1000);
  assert.equal(await usage.get(file.path, 'Some other entry.'), undefined);
});
