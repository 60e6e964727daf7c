import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyCommand, loadShellSyntax } from '../../../agent-server/terminal/command-safety.js';
import { namesCodeRunningPath, runsCodeLater } from '../../../agent-server/terminal/code-running-writes.js';

const home = '/home/u';
const workspace = '/work/repo';

test('writes to files that run code later ask, with the reason (all entries, variants, absolute paths)', async () => {
  await loadShellSyntax();
  for (const command of [
    'echo {} > project.code-workspace',
    'cp tpl.xml .idea/runConfigurations/Start.xml',
    'echo {} > .VSCode/tasks.json',
    'echo {} > .vscode/extensions.json',
    'tee .zed/tasks.json < x',
    'echo "gitdir: ../evil" > vendor/lib/.git',
    'echo {} > /work/repo/.mcp.json',
    'mv staged .githooks/pre-commit',
    'echo x > .envrc',
  ]) {
    const risk = classifyCommand(command, { home, workspace, cwd: workspace });
    assert.equal(risk.level, 'dangerous', command);
    assert.match(risk.reasons.join(' '), /runs code later, outside the sandbox/, command);
  }
});

test('reading such files, and writing look-alike names, stays ordinary', async () => {
  await loadShellSyntax();
  for (const command of [
    'cat .vscode/settings.json',
    'echo x > .gitignore',
    'echo x > docs/vscode-tasks.md',
    'echo x > .github/workflows/ci.yml',
    'git status',
  ]) {
    assert.equal(classifyCommand(command, { home, workspace, cwd: workspace }).level, 'ordinary', command);
  }
});

test('runsCodeLater: relative to the workspace, git hooks and config, not the workspace path itself', () => {
  assert.match(runsCodeLater('.git/hooks/pre-commit') ?? '', /git/);
  assert.match(runsCodeLater('sub/.git/config') ?? '', /git/);
  assert.equal(runsCodeLater('.git/objects/ab/cd'), undefined);
  // A workspace that sits inside a folder named like an entry is not all code-running.
  assert.equal(
    runsCodeLater('/home/u/.vscode/extensions/x/src/a.ts', '/home/u/.vscode/extensions/x'),
    undefined,
  );
  assert.match(
    runsCodeLater('/home/u/.vscode/extensions/x/.envrc', '/home/u/.vscode/extensions/x') ?? '',
    /direnv/,
  );
});

test('namesCodeRunningPath finds such paths in strings of one-liner code', () => {
  assert.match(namesCodeRunningPath(`python3 -c "open('.husky/pre-commit','w').write('x')"`) ?? '', /husky/);
  assert.equal(namesCodeRunningPath('python3 -c "print(1)"'), undefined);
});
