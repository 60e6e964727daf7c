import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadSkillCatalog, skillCommands, expandSkillCommand } from '../../../agent-server/skills/index.js';
import { tempDir, skillText, writeSkill } from './helpers.js';

test('every skill is a slash command, except names Cairn reserves for its own commands', async () => {
  const cwd = await tempDir();
  const project = path.join(cwd, '.cairn', 'skills');
  await writeSkill(project, 'deploy', skillText('deploy', 'Deploy the app to staging or production.'));
  await writeSkill(project, 'help', skillText('help', 'A skill that collides with /help'));
  await writeSkill(project, 'long', skillText('long', 'w '.repeat(400)));
  const catalog = await loadSkillCatalog({ cwd, home: await tempDir('cairn-home-') });
  const commands = skillCommands(catalog);
  assert.deepEqual(
    commands.map((c) => c.name),
    ['deploy', 'long'],
  );
  assert.equal(commands[0]!.description, 'Deploy the app to staging or production.');
  assert.ok(commands[0]!.hint);
  assert.ok(commands[1]!.description.length <= 200);
});

test('/name args expands to a user message carrying the skill body and the request', async () => {
  const cwd = await tempDir();
  const project = path.join(cwd, '.cairn', 'skills');
  await writeSkill(project, 'deploy', skillText('deploy', 'Deploy', '# Deploy\n\n1. Run `make release`.\n'));
  const catalog = await loadSkillCatalog({ cwd, home: await tempDir('cairn-home-') });
  const text = expandSkillCommand(catalog, 'deploy', ' to staging ')!;
  assert.match(text, /<skill name="deploy" source="project" file="\.cairn\/skills\/deploy\/SKILL\.md">/);
  assert.match(text, /1\. Run `make release`\./);
  assert.match(text, /Request: to staging$/);
  assert.doesNotMatch(text, /^---/m);
  assert.match(expandSkillCommand(catalog, 'deploy', '')!, /gave no further instructions/);
  assert.equal(expandSkillCommand(catalog, 'nope', ''), undefined);
});
