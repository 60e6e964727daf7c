import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { withinBudget } from '../../../extension/context/budget.js';
import { formatProblems, type Problem } from '../../../extension/context/problems.js';
import { gitChanges } from '../../../extension/context/git-changes.js';
import { filesNamedIn, folderTree } from '../../../extension/context/folder.js';
import { TerminalOutputRecorder } from '../../../extension/context/terminal-output.js';
import { tempDir, writeFiles } from '../../helpers/env.js';

test('a reference over its budget is cut at a line with a visible note', () => {
  assert.deepEqual(withinBudget('short', 100), { text: 'short', bytes: 5, note: null });
  const long = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
  const cut = withinBudget(long, 60);
  assert.equal(cut.note, 'cut to 56 B of 789 B');
  assert.match(cut.text, /^line 0\nline 1\n/);
  assert.match(cut.text, /\n\[… cut to 56 B of 789 B: the rest was not sent\]$/);
  assert.equal(cut.bytes, Buffer.byteLength(cut.text));
});

test('@problems: one line per diagnostic, current file first, errors before warnings', () => {
  const p = (relPath: string, line: number, severity: Problem['severity'], message: string): Problem => ({
    path: `/w/${relPath}`,
    relPath,
    line,
    column: 2,
    severity,
    message,
    source: 'ts',
    code: '2322',
  });
  const text = formatProblems(
    [
      p('b.ts', 9, 'warning', 'unused'),
      p('a.ts', 3, 'error', "Type 'string'\n is not 'number'"),
      p('c.ts', 1, 'error', 'x'),
    ],
    '/w/c.ts',
  );
  assert.equal(
    text,
    [
      'Problems (2 errors, 1 warning):',
      'c.ts:1:2 error ts 2322: x',
      "a.ts:3:2 error ts 2322: Type 'string' is not 'number'",
      'b.ts:9:2 warning ts 2322: unused',
    ].join('\n'),
  );
  assert.match(formatProblems([], null), /empty/);
});

test('@git-changes: staged and unstaged diffs and untracked files; no repository is a clear error', async () => {
  const root = await tempDir('git-changes');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: root });
  await assert.rejects(gitChanges(root), /needs a git repository/);
  git('init', '-q');
  await writeFiles(root, { 'a.txt': 'one\n', 'b.txt': 'two\n' });
  git('add', '.');
  git('commit', '-qm', 'first');
  assert.equal(await gitChanges(root), 'No changes: the working tree matches HEAD.');
  await writeFiles(root, { 'a.txt': 'one changed\n', 'b.txt': 'two staged\n', 'new.txt': 'n\n' });
  git('add', 'b.txt');
  const text = await gitChanges(root);
  assert.match(
    text,
    /^Staged changes \(git diff --staged\):\ndiff --git a\/b\.txt b\/b\.txt[\s\S]*\+two staged/,
  );
  assert.match(text, /Unstaged changes \(git diff\):\ndiff --git a\/a\.txt b\/a\.txt[\s\S]*\+one changed/);
  assert.match(text, /Untracked files:\nnew\.txt$/);
});

test('@folder: the tree leaves out what .gitignore ignores; files named in the prompt come first', async () => {
  const root = await tempDir('folder');
  await writeFiles(root, {
    '.gitignore': 'dist/\n*.log\n',
    'src/parser.ts': '',
    'src/lexer.ts': '',
    'src/debug.log': '',
    'src/dist/out.js': '',
    'src/gen/.gitignore': 'secret.ts\n',
    'src/gen/secret.ts': '',
    'src/gen/types.ts': '',
    'src/node_modules/x/index.js': '',
  });
  const tree = await folderTree(root, path.join(root, 'src'));
  assert.equal(
    tree.text,
    ['src/', '  gen/', '    .gitignore', '    types.ts', '  lexer.ts', '  parser.ts'].join('\n'),
  );
  assert.deepEqual(
    tree.files.map((f) => path.relative(root, f)),
    ['src/gen/.gitignore', 'src/gen/types.ts', 'src/lexer.ts', 'src/parser.ts'],
  );
  assert.deepEqual(
    filesNamedIn('the parser.ts and gen types break', tree.files, path.join(root, 'src')).map((f) =>
      path.basename(f),
    ),
    ['parser.ts', 'types.ts'],
  );
  await fs.rm(root, { recursive: true, force: true });
});

test('@terminal: commands, their output without escape codes, and exit codes; newest kept', () => {
  const recorder = new TerminalOutputRecorder<object>();
  const terminal = {};
  assert.equal(recorder.recent(terminal), undefined);
  recorder.commandStarted(terminal, 'npm test');
  recorder.data(terminal, '\u001b[31mFAIL\u001b[0m src/a.test.ts\r\n');
  recorder.data(terminal, '\u001b]633;D;1\u0007done');
  recorder.commandEnded(terminal, 1);
  assert.equal(recorder.recent(terminal), '$ npm test\nFAIL src/a.test.ts\ndone\n[exit code 1]\n');
  recorder.data(terminal, 'y'.repeat(70 * 1024));
  assert.equal(recorder.recent(terminal)?.length, 64 * 1024);
  assert.ok(recorder.recent(terminal)?.endsWith('y'));
});
