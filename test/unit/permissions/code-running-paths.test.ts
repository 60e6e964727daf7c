import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  codeRunningPath,
  componentKey,
  configuredHooksPaths,
  gitDirs,
} from '../../../agent-server/security/code-running-paths.js';
import { codeRunningReadOnlyMounts } from '../../../agent-server/security/code-running-mounts.js';
import { editPermissionRequest } from '../../../agent-server/tools/edit-permission.js';
import { permissionOptions } from '../../../agent-server/acp/client-prompter.js';
import { toolContext } from '../../helpers/tool-context.js';

function tempRepo(): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-coderun-')));
  fs.mkdirSync(path.join(root, '.git', 'hooks'), { recursive: true });
  fs.writeFileSync(path.join(root, '.git', 'config'), '[core]\n\tbare = false\n');
  return root;
}

test('paths that run code outside the sandbox, and paths that do not', () => {
  const root = tempRepo();
  try {
    const planted = [
      '.git/hooks/pre-commit',
      '.git/config',
      '.git/modules/lib/hooks/post-checkout',
      '.git/modules/lib/config',
      '.git/worktrees/x/config.worktree',
      'sub/.git',
      '.husky/pre-commit',
      '.envrc',
      'app/.envrc',
      '.vscode/tasks.json',
      '.vscode/settings.json',
      '.vscode/launch.json',
      'packages/a/.vscode/tasks.json',
      '.devcontainer/devcontainer.json',
      '.devcontainer.json',
      '.zed/tasks.json',
      '.idea/runConfigurations/x.xml',
      '.mcp.json',
      'x.code-workspace',
      '.GIT/HOOKS/pre-commit',
      '.git./hooks/x',
      '.g\u200cit/hooks/x',
      './.git//hooks/../hooks/pre-commit',
    ];
    for (const rel of planted)
      assert.ok(codeRunningPath(path.join(root, rel), [root]), `${rel} should be flagged`);
    const ordinary = [
      'src/index.ts',
      '.gitignore',
      '.gitattributes',
      'docs/hooks/readme.md',
      'config',
      '.github/workflows/ci.yml',
      '.git/objects/ab/cd',
    ];
    for (const rel of ordinary)
      assert.equal(codeRunningPath(path.join(root, rel), [root]), undefined, `${rel} should not be flagged`);
    // A workspace that itself sits under a folder named like one: only components below the root count.
    assert.equal(codeRunningPath(path.join(root, 'src/a.ts'), [root]), undefined);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a symlink into .git and a configured core.hooksPath are judged on the resolved path', () => {
  const root = tempRepo();
  try {
    fs.symlinkSync('.git', path.join(root, 'tools'));
    assert.ok(codeRunningPath(path.join(root, 'tools/hooks/pre-commit'), [root]));
    fs.writeFileSync(path.join(root, '.git', 'config'), '[core]\n\thooksPath = "ci/hooks" ; team hooks\n');
    assert.deepEqual(configuredHooksPaths(root, '/nonexistent-home'), [path.join(root, 'ci/hooks')]);
    assert.ok(
      codeRunningPath(path.join(root, 'ci/hooks/pre-push'), [root], { userHome: '/nonexistent-home' }),
    );
    assert.equal(componentKey('.GiT. '), '.git');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a .git file (linked worktree) points at its git dir and the common dir', () => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-coderun-wt-')));
  try {
    const main = path.join(root, 'main/.git');
    fs.mkdirSync(path.join(main, 'worktrees/x'), { recursive: true });
    fs.writeFileSync(path.join(main, 'worktrees/x/commondir'), '../..\n');
    fs.mkdirSync(path.join(root, 'wt'));
    fs.writeFileSync(path.join(root, 'wt/.git'), `gitdir: ${path.join(main, 'worktrees/x')}\n`);
    assert.deepEqual(gitDirs(path.join(root, 'wt')), [path.join(main, 'worktrees/x'), main]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the sandbox binds hooks, config and existing editor files read-only, and creates nothing at the root', () => {
  const root = tempRepo();
  try {
    fs.mkdirSync(path.join(root, '.vscode'));
    fs.writeFileSync(path.join(root, '.envrc'), 'x');
    const args = codeRunningReadOnlyMounts([root], '/nonexistent-home');
    const ro = args.flatMap((a, i) => (a === '--ro-bind' ? [args[i + 1]] : []));
    assert.deepEqual(ro.sort(), [
      path.join(root, '.envrc'),
      path.join(root, '.git/config'),
      path.join(root, '.git/hooks'),
      path.join(root, '.vscode'),
    ]);
    assert.deepEqual(args.slice(0, 3), ['--bind', path.join(root, '.git'), path.join(root, '.git')]);
    assert.equal(fs.existsSync(path.join(root, '.husky')), false, 'no placeholder created in the repo');
    // Outside every writable root nothing needs binding: it is read-only already.
    assert.deepEqual(codeRunningReadOnlyMounts([path.join(root, 'src')], '/nonexistent-home'), []);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the edit request for a hook says it runs code outside the sandbox and offers no "always"', () => {
  const root = tempRepo();
  try {
    const ctx = toolContext(root);
    const hook = editPermissionRequest(ctx, {
      toolName: 'write_file',
      absPath: path.join(root, '.git/hooks/pre-commit'),
      creating: true,
      diff: [],
    });
    assert.equal(
      hook.title,
      'Create .git/hooks/pre-commit — this file runs code outside the sandbox when you use git',
    );
    assert.equal(hook.runsOutsideSandbox, true);
    assert.ok(!permissionOptions(hook).some((o) => o.kind === 'allow_always'));
    const plain = editPermissionRequest(ctx, {
      toolName: 'write_file',
      absPath: path.join(root, 'a.ts'),
      creating: false,
      diff: [],
    });
    assert.equal(plain.title, 'Edit a.ts');
    assert.equal(plain.runsOutsideSandbox, undefined);
    assert.ok(permissionOptions(plain).some((o) => o.kind === 'allow_always'));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
