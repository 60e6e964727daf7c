import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { commandPatternMatches, JobGrantsPrompter } from '../../../agent-server/jobs/job-grants.js';
import type { PermissionRequest } from '../../../agent-server/permissions/gate.js';

const command = (cmd: string, extra: Partial<PermissionRequest> = {}): PermissionRequest => ({
  toolCallId: `call-${cmd}`,
  toolName: 'terminal',
  category: 'execute',
  kind: 'execute',
  title: cmd,
  ruleKey: `execute:${cmd}`,
  ...extra,
});

describe('a job answers permission requests from its grants', () => {
  it('matches command patterns with * as the only wildcard', () => {
    assert.ok(commandPatternMatches('npm test*', 'npm test -- --watch'));
    assert.ok(commandPatternMatches('npm test', 'npm test'));
    assert.ok(!commandPatternMatches('npm test', 'npm test; rm -rf ~'));
    assert.ok(!commandPatternMatches('git log', 'git status'));
    assert.ok(!commandPatternMatches('a.b', 'axb'));
  });

  it('allows granted commands and refuses the rest, with the reason kept', async () => {
    const prompter = new JobGrantsPrompter({ mode: 'accept-edits', allowCommands: ['npm outdated*'] });
    assert.equal(await prompter.ask(command('npm outdated --json')), 'allow_once');
    assert.equal(await prompter.ask(command('npm install left-pad')), 'reject_once');
    assert.match(prompter.reasons.get('call-npm install left-pad')!, /no --allow-command pattern/);
  });

  it('never approves dangerous commands or files that run outside the sandbox, even when a pattern matches', async () => {
    const prompter = new JobGrantsPrompter({ mode: 'auto', allowCommands: ['*'] });
    assert.equal(await prompter.ask(command('sudo reboot', { dangerous: true })), 'reject_once');
    assert.equal(
      await prompter.ask({
        ...command('x'),
        category: 'edit',
        kind: 'edit',
        ruleKey: 'edit',
        runsOutsideSandbox: true,
      }),
      'reject_once',
    );
    assert.equal(prompter.reasons.size, 2);
  });

  it('refuses anything else that asks (an edit in a mode that asks, the network)', async () => {
    const prompter = new JobGrantsPrompter({ mode: 'plan', allowCommands: [] });
    assert.equal(
      await prompter.ask({
        ...command('x'),
        toolCallId: 'w',
        category: 'network',
        kind: 'fetch',
        ruleKey: 'network',
      }),
      'reject_once',
    );
    assert.match(prompter.reasons.get('w')!, /not granted/);
  });
});
