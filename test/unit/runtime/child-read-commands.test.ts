import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ChatRequestBody, ScriptStep } from '../../../agent-server/demo/scripted-model-server.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { tempDir } from '../../helpers/env.js';
import { runtimeFixture } from '../../helpers/runtime-session.js';
import { delegateCall, firstUser, isChild, lastRole, lastText, toolNames } from './child-script.js';

test('a read child runs read-only commands without asking, and a command that writes is refused, not run', async (t) => {
  const repo = await tempDir('child-read');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  await fs.writeFile(path.join(repo, 'listed-file.txt'), 'x\n');
  const script = (body: ChatRequestBody): ScriptStep => {
    if (isChild(body)) {
      if (lastRole(body) === 'tool') return { text: 'done' };
      const command = firstUser(body).startsWith('List') ? 'ls -la' : 'touch planted.txt';
      return { toolCalls: [{ name: 'read_command', arguments: { command } }] };
    }
    if (lastRole(body) === 'tool') return { text: 'ok' };
    return delegateCall([{ goal: 'List the files' }, { goal: 'Create a file' }]);
  };
  const model = new ScriptedModelClient(script);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const parent = await fx.host.create(fx.bindings, { cwd: repo, mode: 'ask' });
  await parent.prompt({ role: 'user', content: 'go' });

  const childRequests = model.requests.filter(isChild);
  for (const r of childRequests) {
    assert.ok(toolNames(r).includes('read_command'));
    assert.ok(!toolNames(r).includes('terminal'));
  }
  const answers = childRequests.filter((r) => lastRole(r) === 'tool').map(lastText);
  assert.ok(answers.some((a) => a.includes('listed-file.txt') && a.includes('Exit code: 0')));
  assert.ok(
    answers.some((a) =>
      /Refused: only read-only commands run here.*touch is not one of the read-only programs/.test(a),
    ),
  );
  await assert.rejects(fs.stat(path.join(repo, 'planted.txt')), /ENOENT/);
  assert.equal(fx.asked.length, 0, 'a read-only command is a read: nothing asks');
  // The parent and an edit child keep the whole terminal and are not offered this one.
  const parentTools = toolNames(model.requests.find((r) => !isChild(r))!);
  assert.ok(parentTools.includes('terminal') && !parentTools.includes('read_command'));
});

test("git run by read_command neither runs the repository's core.fsmonitor nor rewrites the index", async (t) => {
  const repo = await tempDir('child-read');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  await fs.writeFile(path.join(repo, 'a.txt'), 'x\n');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo });
  git('init', '-q');
  git('add', 'a.txt');
  // Repository content is untrusted: its config names a program git would run on status.
  git('config', 'core.fsmonitor', `touch ${path.join(repo, 'planted-by-fsmonitor')}; false`);
  const indexBefore = await fs.stat(path.join(repo, '.git/index'));
  await fs.writeFile(path.join(repo, 'a.txt'), 'changed\n');
  const script = (body: ChatRequestBody): ScriptStep => {
    if (isChild(body))
      return lastRole(body) === 'tool'
        ? { text: 'done' }
        : { toolCalls: [{ name: 'read_command', arguments: { command: 'git status --short' } }] };
    if (lastRole(body) === 'tool') return { text: 'ok' };
    return delegateCall([{ goal: 'Status' }]);
  };
  const model = new ScriptedModelClient(script);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const parent = await fx.host.create(fx.bindings, { cwd: repo });
  await parent.prompt({ role: 'user', content: 'go' });

  assert.match(lastText(model.requests.filter(isChild).at(-1)!), /M a\.txt/);
  await assert.rejects(fs.stat(path.join(repo, 'planted-by-fsmonitor')), /ENOENT/);
  const indexAfter = await fs.stat(path.join(repo, '.git/index'));
  assert.equal(indexAfter.mtimeMs, indexBefore.mtimeMs, 'status did not rewrite the index');
});

test('read_command does not run git in a repository whose config names programs a read would start (textconv, external diff, filters)', async (t) => {
  const repo = await tempDir('child-read-textconv');
  t.after(() => fs.rm(repo, { recursive: true, force: true }));
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd });
  const marker = path.join(repo, 'planted-by-textconv');
  await fs.writeFile(path.join(repo, 'a.txt'), 'one\n');
  git(repo, 'init', '-q');
  git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'root');
  git(repo, 'add', 'a.txt');
  git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '-m', 'a');
  // A hostile checkout: attributes route every file through a diff driver its own config defines.
  await fs.writeFile(path.join(repo, '.gitattributes'), '* diff=evil\n');
  git(repo, 'config', 'diff.evil.textconv', `sh -c 'touch ${marker}; cat "$0"'`);
  // A nested repository (reached with -C) with a clean filter, and a clean one beside it.
  const nested = path.join(repo, 'nested');
  await fs.mkdir(nested);
  git(nested, 'init', '-q');
  git(nested, 'config', 'filter.evil.clean', `sh -c 'touch ${marker}-filter; cat'`);
  const clean = path.join(repo, 'clean');
  await fs.mkdir(clean);
  git(clean, 'init', '-q');
  const commands = ['git log -p -1', 'git -C nested status --short', 'git -C clean status --short'];
  const script = (body: ChatRequestBody): ScriptStep => {
    if (isChild(body)) {
      if (lastRole(body) === 'tool') return { text: 'done' };
      const command = commands.find((c) => firstUser(body).includes(c))!;
      return { toolCalls: [{ name: 'read_command', arguments: { command } }] };
    }
    if (lastRole(body) === 'tool') return { text: 'ok' };
    return delegateCall(commands.map((c) => ({ goal: `Run ${c}` })));
  };
  const model = new ScriptedModelClient(script);
  const fx = await runtimeFixture({ model });
  t.after(() => fx.cleanup());
  const parent = await fx.host.create(fx.bindings, { cwd: repo });
  await parent.prompt({ role: 'user', content: 'go' });

  const answer = (command: string) =>
    lastText(
      model.requests.filter(isChild).find((r) => firstUser(r).includes(command) && lastRole(r) === 'tool')!,
    );
  assert.match(answer('git log -p -1'), /Refused: the repository's git config sets diff\.evil\.textconv/);
  assert.match(
    answer('git -C nested status'),
    /Refused: the repository's git config sets filter\.evil\.clean/,
  );
  assert.match(answer('git -C clean status'), /Exit code: 0/);
  await assert.rejects(fs.stat(marker), /ENOENT/);
  await assert.rejects(fs.stat(`${marker}-filter`), /ENOENT/);
});
