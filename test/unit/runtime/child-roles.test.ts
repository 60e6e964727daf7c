import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ChatRequestBody, ScriptStep } from '../../../agent-server/demo/scripted-model-server.js';
import type { SessionEvent } from '../../../agent-server/runtime/session-events.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';
import {
  delegateCall,
  firstUser,
  isChild,
  lastRole,
  lastText,
  systemText,
  toolNames,
} from './child-script.js';

// Roles are skills: bundled ones (explorer, reviewer, test-runner) and project ones marked with
// `metadata.delegate-role`. A task naming one gets its instructions and its toolset.

async function delegateWith(tasks: Record<string, unknown>[], setup?: (repo: string) => Promise<void>) {
  const repo = await tempDir('child-roles');
  await setup?.(repo);
  const script = (body: ChatRequestBody): ScriptStep => {
    if (isChild(body)) return { text: `finished ${firstUser(body)}` };
    if (lastRole(body) === 'tool') return { text: 'ok' };
    return delegateCall(tasks);
  };
  const model = new ScriptedModelClient(script);
  const fx = await runtimeFixture({ model });
  const parent = await fx.host.create(fx.bindings, { cwd: repo });
  const events: SessionEvent[] = [];
  parent.subscribe((e) => events.push(e));
  await parent.prompt({ role: 'user', content: 'go' });
  const child = (goal: string) => model.requests.find((r) => isChild(r) && firstUser(r) === goal);
  const parentLast = lastText(model.requests.filter((r) => !isChild(r)).at(-1)!);
  const parentTools = () =>
    (model.requests.find((r) => !isChild(r))!.tools ?? []).map((x) => ({
      name: x.function.name,
      description: String((x.function as { description?: string }).description),
    }));
  return {
    child,
    parentLast,
    parentTools,
    events,
    async cleanup() {
      await fx.cleanup();
      await fs.rm(repo, { recursive: true, force: true });
    },
  };
}

test('built-in roles: a reviewer reads with the reviewer instructions, a test-runner gets the terminal', async (t) => {
  const run = await delegateWith([
    { goal: 'Review the branch', role: 'reviewer' },
    { goal: 'Run the tests', role: 'test-runner' },
    { goal: 'Plain task' },
  ]);
  t.after(() => run.cleanup());
  const reviewer = run.child('Review the branch')!;
  assert.match(systemText(reviewer), /## Your role: reviewer/);
  assert.match(systemText(reviewer), /git diff --staged/);
  assert.ok(toolNames(reviewer).includes('read_command'));
  assert.ok(!toolNames(reviewer).includes('terminal'));

  const runner = run.child('Run the tests')!;
  assert.match(systemText(runner), /## Your role: test-runner/);
  assert.ok(toolNames(runner).includes('terminal'));

  const plain = run.child('Plain task')!;
  assert.doesNotMatch(systemText(plain), /Your role/);
  assert.ok(!toolNames(plain).includes('terminal'));
  assert.match(run.parentLast, /Task 1 \[reviewer\] \(Review the branch\): done/);
});

test('a project skill marked delegate-role is a role; from the repository it never gets more than edit', async (t) => {
  const run = await delegateWith([{ goal: 'Audit the queries', role: 'db-auditor' }], async (repo) => {
    await fs.mkdir(path.join(repo, '.cairn/skills/db-auditor'), { recursive: true });
    await fs.writeFile(
      path.join(repo, '.cairn/skills/db-auditor/SKILL.md'),
      '---\nname: db-auditor\ndescription: Audits SQL queries\nmetadata:\n  delegate-role: full\n---\nCheck every query for AUDIT-MARK injection.\n',
    );
  });
  t.after(() => run.cleanup());
  const auditor = run.child('Audit the queries')!;
  assert.match(systemText(auditor), /## Your role: db-auditor\n\nCheck every query for AUDIT-MARK/);
  // `full` from the repository counts as `edit`: the terminal, but no delegation of its own.
  assert.ok(toolNames(auditor).includes('terminal'));
  assert.ok(!toolNames(auditor).includes('delegate'));
});

test('an unknown role fails that task with the roles there are, and runs no child', async (t) => {
  const run = await delegateWith([{ goal: 'Do it', role: 'wizard' }]);
  t.after(() => run.cleanup());
  assert.equal(run.child('Do it'), undefined);
  assert.match(run.parentLast, /: failed/);
  assert.match(run.parentLast, /no delegate role \\"wizard\\"\. Roles: .*explorer.*reviewer.*test-runner/);
  const card = run.events.filter((e) => e.type === 'tool_call_update').at(-1);
  assert.equal(card?.type === 'tool_call_update' && card.outcome, 'failed');
});

test("the delegate tool's description names the roles there are, project ones included", async (t) => {
  const run = await delegateWith([{ goal: 'Plain task' }], async (repo) => {
    await fs.mkdir(path.join(repo, '.cairn/skills/db-auditor'), { recursive: true });
    await fs.writeFile(
      path.join(repo, '.cairn/skills/db-auditor/SKILL.md'),
      '---\nname: db-auditor\ndescription: Audits SQL queries\nmetadata:\n  delegate-role: read\n---\nCheck them.\n',
    );
  });
  t.after(() => run.cleanup());
  const description = run.parentTools().find((f) => f.name === 'delegate')!.description;
  assert.match(description, /Roles: .*db-auditor \(Audits SQL queries\)/);
  assert.match(description, /explorer \(maps where something is implemented/);
  assert.match(description, /reviewer \(reviews the current diff read-only/);
});
