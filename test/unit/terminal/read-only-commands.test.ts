import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadShellSyntax } from '../../../agent-server/terminal/command-safety.js';
import { readOnlyCommand } from '../../../agent-server/terminal/read-only-commands.js';

const options = { home: '/home/u', workspace: '/ws', cwd: '/ws' };

test('read-only commands: listing, searching and git history pass, piped and chained', async () => {
  await loadShellSyntax();
  for (const command of [
    'ls -la src',
    'git log --oneline -20',
    'git status && git diff HEAD~1 -- src',
    'rg -n "oldApi" src | head -20',
    'grep -rn x . 2>/dev/null | wc -l',
    'find . -name "*.ts" -type f',
    'cat < a.txt',
    'git branch -a',
    'git -C sub log -1',
  ])
    assert.equal(readOnlyCommand(command, options).readOnly, true, command);
  // Where each git call runs, for read_command to check that repository's config first.
  assert.deepEqual(readOnlyCommand('git -C sub log -1 && git status', options), {
    readOnly: true,
    gitDirs: ['sub', '.'],
  });
  assert.deepEqual(readOnlyCommand('ls', options), { readOnly: true, gitDirs: [] });
});

test('anything that may write, run another program or is only known at run time is refused with a reason', async () => {
  await loadShellSyntax();
  const refused: [string, RegExp][] = [
    ['touch x', /touch is not one of the read-only programs/],
    ['npm test', /npm is not one/],
    ['echo hi > f', /redirects output to a file/],
    ['ls $(whoami)', /only known at run time/],
    ['find . -name x -delete', /delete/],
    ['find . -exec rm {} ;', /find/],
    ['sort -no out.txt in.txt', /sort: option -o/],
    ['uniq in.txt out.txt', /uniq writes its second file operand/],
    ['git commit -m x', /git commit is not a read-only git command/],
    ['git -c color.ui=always log', /git -c is not allowed/],
    ['git diff --output=x', /option --output/],
    ['git branch new-branch', /only listing is read-only/],
    ['FOO=1 ls', /sets variables/],
    ['ls &', /background job/],
    ['(ls)', /beyond simple commands/],
    ['ls; rm -f x', /rm/],
    ['./script.sh', /./],
    ['rg --pre ./x foo', /option --pre/],
  ];
  for (const [command, reason] of refused) {
    const verdict = readOnlyCommand(command, options);
    assert.equal(verdict.readOnly, false, command);
    if (!verdict.readOnly) assert.match(verdict.reason, reason, command);
  }
});
