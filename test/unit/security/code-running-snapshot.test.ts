import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  plantedFiles,
  snapshotCodeRunningFiles,
  type SnapshotLimits,
} from '../../../agent-server/security/code-running-snapshot.js';
import { codeRunningGitConfigEntries } from '../../../agent-server/security/git-config-risk.js';
import {
  QUARANTINE_SUFFIX,
  startPlantedFilesCheck,
} from '../../../agent-server/security/planted-files-check.js';

function workspace(): { root: string; write(rel: string, text?: string): void; cleanup(): void } {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-snapshot-')));
  return {
    root,
    write(rel, text = 'x\n') {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    },
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** The planted files (relative) after `change` runs between two snapshots. */
function diffAround(
  root: string,
  change: () => void,
  limits?: SnapshotLimits,
): { rel: string; change: string; added?: string[] }[] {
  const before = snapshotCodeRunningFiles([root], { limits, userHome: root });
  change();
  const after = snapshotCodeRunningFiles([root], { limits, userHome: root, previous: before });
  return plantedFiles(before, after).map((f) => ({
    rel: path.relative(root, f.path),
    change: f.change,
    ...(f.added ? { added: f.added } : {}),
  }));
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: cwd } });

test('created entries at the root are found: .vscode/tasks.json, .envrc, .husky, a .code-workspace', () => {
  const w = workspace();
  try {
    const found = diffAround(w.root, () => {
      w.write('.vscode/tasks.json', '{}');
      w.write('.envrc');
      w.write('.husky/pre-commit');
      w.write('app.code-workspace', '{}');
      w.write('.devcontainer/devcontainer.json', '{}');
      w.write('src/ordinary.ts');
    });
    assert.deepEqual(
      found.map((f) => `${f.change} ${f.rel}`),
      [
        'created .devcontainer/devcontainer.json',
        'created .envrc',
        'created .husky/pre-commit',
        'created .vscode/tasks.json',
        'created app.code-workspace',
      ],
    );
  } finally {
    w.cleanup();
  }
});

test('a changed file is "changed"; touching nothing code-running reports nothing', () => {
  const w = workspace();
  try {
    w.write('.vscode/settings.json', '{}');
    w.write('src/a.ts');
    assert.deepEqual(
      diffAround(w.root, () => w.write('src/a.ts', 'changed')),
      [],
    );
    assert.deepEqual(
      diffAround(w.root, () => fs.chmodSync(path.join(w.root, '.vscode/settings.json'), 0o755)),
      [{ rel: '.vscode/settings.json', change: 'changed' }],
    );
    // Deleting plants nothing.
    assert.deepEqual(
      diffAround(w.root, () => fs.rmSync(path.join(w.root, '.vscode'), { recursive: true })),
      [],
    );
  } finally {
    w.cleanup();
  }
});

test('case and ignorable-character variants and a symlinked entry are found', () => {
  const w = workspace();
  try {
    const found = diffAround(w.root, () => {
      w.write('.VSCode/tasks.json');
      w.write('.env\u200Crc');
      fs.symlinkSync('payload.sh', path.join(w.root, '.envrc'));
    });
    assert.deepEqual(found.map((f) => f.rel).sort(), ['.VSCode/tasks.json', '.env\u200Crc', '.envrc'].sort());
  } finally {
    w.cleanup();
  }
});

test('git: a fresh git init is not reported, a hook in it is; sample hooks are ignored', () => {
  const w = workspace();
  try {
    assert.deepEqual(
      diffAround(w.root, () => git(w.root, 'init', '-q', 'sub')),
      [],
    );
    const found = diffAround(w.root, () => {
      w.write('sub/.git/hooks/pre-commit', '#!/bin/sh\n');
      w.write('sub/.git/hooks/pre-push.sample', '#!/bin/sh\n');
    });
    assert.deepEqual(found, [{ rel: 'sub/.git/hooks/pre-commit', change: 'created' }]);
  } finally {
    w.cleanup();
  }
});

test('git config: a new remote is not reported, core.fsmonitor and an alias are', () => {
  const w = workspace();
  try {
    git(w.root, 'init', '-q');
    assert.deepEqual(
      diffAround(w.root, () => git(w.root, 'remote', 'add', 'origin', 'https://example.com/r.git')),
      [],
    );
    const found = diffAround(w.root, () => {
      git(w.root, 'config', 'core.fsmonitor', 'cat ~/.ssh/id_rsa');
      git(w.root, 'config', 'alias.st', '!sh -c evil');
    });
    assert.equal(found.length, 1);
    assert.equal(found[0]!.rel, '.git/config');
    assert.equal(found[0]!.change, 'changed');
    assert.deepEqual(found[0]!.added, ['alias.st=!sh -c evil', 'core.fsmonitor=cat ~/.ssh/id_rsa']);
  } finally {
    w.cleanup();
  }
});

test('git config parsing: data-only keys, subsections, old-style headers and "!" values', () => {
  const text = [
    '[core]',
    '\trepositoryformatversion = 0',
    '\tbare = false',
    '\tpager = less; evil',
    '[remote "origin"]',
    '\turl = https://x',
    '[submodule "a"]',
    '\tupdate = !sh -c evil',
    '[filter.lfs]',
    '\tclean = evil %f',
    '[include]',
    '\tpath = ../evil.cfg',
  ].join('\n');
  assert.deepEqual(codeRunningGitConfigEntries(text), [
    'core.pager=less; evil',
    'filter.lfs.clean=evil %f',
    'include.path=../evil.cfg',
    'submodule.a.update=!sh -c evil',
  ]);
});

test('a .git/hooks symlink replaced by a folder with a hook is reported', () => {
  const w = workspace();
  try {
    git(w.root, 'init', '-q');
    fs.mkdirSync(path.join(w.root, 'shared-hooks'));
    fs.rmSync(path.join(w.root, '.git/hooks'), { recursive: true });
    fs.symlinkSync('../shared-hooks', path.join(w.root, '.git/hooks'));
    const found = diffAround(w.root, () => {
      fs.unlinkSync(path.join(w.root, '.git/hooks'));
      w.write('.git/hooks/pre-commit');
    });
    assert.deepEqual(found, [{ rel: '.git/hooks/pre-commit', change: 'created' }]);
    // A hook written into the linked folder is a hook too.
    fs.rmSync(path.join(w.root, '.git/hooks'), { recursive: true });
    fs.symlinkSync('../shared-hooks', path.join(w.root, '.git/hooks'));
    assert.deepEqual(
      diffAround(w.root, () => w.write('shared-hooks/post-checkout')),
      [{ rel: 'shared-hooks/post-checkout', change: 'created' }],
    );
  } finally {
    w.cleanup();
  }
});

test('nested entries: found a few levels down, deeper only inside folders the command created', () => {
  const w = workspace();
  try {
    w.write('a/b/c/d/e/keep.txt');
    w.write('node_modules/x/keep.txt');
    const found = diffAround(w.root, () => {
      w.write('packages/app/.vscode/tasks.json'); // new folders: searched deeper
      w.write('a/b/.envrc'); // existing, within depth
      w.write('fresh/1/2/3/4/5/.vscode/tasks.json'); // new, deep
      w.write('a/b/c/d/e/.envrc'); // existing, too deep: a documented limit
      w.write('node_modules/x/.vscode/tasks.json'); // dependency folders are skipped
    });
    assert.deepEqual(found.map((f) => f.rel).sort(), [
      'a/b/.envrc',
      'fresh/1/2/3/4/5/.vscode/tasks.json',
      'packages/app/.vscode/tasks.json',
    ]);
  } finally {
    w.cleanup();
  }
});

test('a command that creates more folders than the budget makes the check say so', () => {
  const w = workspace();
  try {
    const limits = { depth: 3, newFolderDepth: 8, maxFolders: 20, maxFilesPerEntry: 50 };
    const before = snapshotCodeRunningFiles([w.root], { limits });
    for (let i = 0; i < 30; i++) fs.mkdirSync(path.join(w.root, `d${i}`));
    const after = snapshotCodeRunningFiles([w.root], { limits, previous: before });
    assert.equal(before.incomplete, false);
    assert.equal(after.incomplete, true);
  } finally {
    w.cleanup();
  }
});

test('the check quarantines created files only when asked, and says how to restore them', () => {
  const w = workspace();
  try {
    w.write('.vscode/settings.json', '{}');
    const check = startPlantedFilesCheck([w.root]);
    w.write('.vscode/tasks.json', '{"tasks":[]}');
    w.write('.vscode/settings.json', '{"changed":true}');
    const report = check.finish({ quarantine: true });
    assert.equal(report.findings.length, 2);
    const tasks = path.join(w.root, '.vscode/tasks.json');
    assert.equal(fs.existsSync(tasks), false);
    assert.equal(fs.readFileSync(tasks + QUARANTINE_SUFFIX, 'utf8'), '{"tasks":[]}');
    assert.match(
      report.warnings.join('\n'),
      /⚠ This command created \.vscode\/tasks\.json, which runs code outside the sandbox when you open the folder in VS Code/,
    );
    assert.match(report.warnings.join('\n'), /mv '.*tasks\.json\.cairn-quarantine' '.*tasks\.json'/);
    // The changed file stays (moving it would lose the user's version), with a warning.
    assert.equal(fs.readFileSync(path.join(w.root, '.vscode/settings.json'), 'utf8'), '{"changed":true}');
    assert.match(report.warnings.join('\n'), /changed \.vscode\/settings\.json/);

    const again = startPlantedFilesCheck([w.root]);
    w.write('.envrc');
    const kept = again.finish({ quarantine: false });
    assert.equal(fs.existsSync(path.join(w.root, '.envrc')), true);
    assert.match(
      kept.warnings[0]!,
      /created \.envrc, which runs code outside the sandbox when you enter the folder/,
    );
    assert.equal(kept.findings[0]!.quarantinedTo, undefined);

    // At the root too; a name already taken gets a number.
    fs.writeFileSync(path.join(w.root, 'x.code-workspace' + QUARANTINE_SUFFIX), 'older');
    const root = startPlantedFilesCheck([w.root]);
    w.write('x.code-workspace', '{}');
    const moved = root.finish({ quarantine: true });
    assert.equal(
      moved.findings[0]!.quarantinedTo,
      path.join(w.root, `x.code-workspace${QUARANTINE_SUFFIX}-2`),
    );
    assert.equal(fs.existsSync(path.join(w.root, 'x.code-workspace')), false);
  } finally {
    w.cleanup();
  }
});
