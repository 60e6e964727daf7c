import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  anchoredAt,
  listSkillFolder,
  readSkillFile,
  readSkillText,
} from '../../../agent-server/skills/skill-disk.js';
import { listLinkedFiles } from '../../../agent-server/skills/linked-files.js';
import { createSkillTools, FileSkillUsage, loadSkillCatalog } from '../../../agent-server/skills/index.js';
import type { ToolDefinition } from '../../../agent-server/tools/types.js';
import { skillText, tempDir, toolHarness, writeSkill } from './helpers.js';

test('readSkillFile: repo files anchored at the workspace; links out refused, inside links followed', async () => {
  const base = await tempDir();
  const repo = path.join(base, 'repo');
  await fs.mkdir(path.join(repo, 'skills/a'), { recursive: true });
  await fs.writeFile(path.join(base, 'secret.txt'), 'SECRET\n');
  await fs.writeFile(path.join(repo, 'skills/a/SKILL.md'), 'text\n');
  await fs.symlink(path.join(base, 'secret.txt'), path.join(repo, 'skills/a/out.md'));
  await fs.symlink('SKILL.md', path.join(repo, 'skills/a/in.md'));
  const within = anchoredAt(repo);
  const read = (rel: string, max = 1024) => readSkillFile(path.join(repo, rel), max, within);
  assert.equal((await read('skills/a/out.md')).kind, 'refused');
  assert.equal(await readSkillText(path.join(repo, 'skills/a/in.md'), within), 'text\n');
  assert.equal((await read('skills/a/missing.md')).kind, 'missing');
  assert.equal((await read('skills/a')).kind, 'not-file');
  assert.deepEqual(await read('skills/a/SKILL.md', 2), { kind: 'too-large', size: 5 });
  await assert.rejects(readSkillText(path.join(repo, 'skills/a/out.md'), within), /was not read/);
  // Cairn's own skills are read by name: a user may keep them as links to a dotfiles folder.
  assert.equal((await readSkillFile(path.join(repo, 'skills/a/out.md'), 1024, undefined)).kind, 'file');
});

test('the catalog refuses a repo SKILL.md linking out but loads user skills that are links', async () => {
  const cwd = await tempDir();
  const home = await tempDir('cairn-home-');
  const elsewhere = await tempDir('cairn-dotfiles-');
  const outsideFile = await writeSkill(elsewhere, 'notes', skillText('notes', 'Notes kept elsewhere'));
  await fs.mkdir(path.join(cwd, '.agents/skills/notes'), { recursive: true });
  await fs.symlink(outsideFile, path.join(cwd, '.agents/skills/notes/SKILL.md'));
  await fs.mkdir(path.join(home, 'skills'), { recursive: true });
  await fs.symlink(path.dirname(outsideFile), path.join(home, 'skills/notes'));
  const catalog = await loadSkillCatalog({ cwd, home });
  assert.equal(catalog.get('notes')?.source, 'user');
  assert.deepEqual(
    catalog.refused.map((r) => [r.source, r.reasons]),
    [['agents', ['SKILL.md links to outside the repo']]],
  );
});

test('listSkillFolder lists repo folders anchored: a folder that links out is not listed', async () => {
  const base = await tempDir();
  const repo = path.join(base, 'repo');
  await fs.mkdir(path.join(base, 'home/.ssh'), { recursive: true });
  await fs.writeFile(path.join(base, 'home/.ssh/id_rsa'), 'SECRET\n');
  await fs.mkdir(path.join(repo, 'skills/a/references'), { recursive: true });
  await fs.writeFile(path.join(repo, 'skills/a/references/api.md'), 'api\n');
  await fs.symlink(path.join(base, 'home/.ssh'), path.join(repo, 'skills/b'));
  const within = anchoredAt(repo);
  const names = (await listSkillFolder(path.join(repo, 'skills/a/references'), within)).map((e) => e.name);
  assert.deepEqual(names, ['api.md']);
  await assert.rejects(listSkillFolder(path.join(repo, 'skills/b'), within), /outside the workspace/);
  await assert.rejects(listSkillFolder(path.join(repo, 'skills/none'), within), { code: 'ENOENT' });
  assert.deepEqual(await listLinkedFiles(path.join(repo, 'skills/b'), within), []);
  assert.deepEqual(await listLinkedFiles(path.join(repo, 'skills/a'), within), ['references/api.md']);
});

test('user skills kept as links to a dotfiles folder: remove_file works through it, delete removes only the link', async () => {
  const cwd = await tempDir();
  const home = await tempDir('cairn-home-');
  const dotfiles = await tempDir('cairn-dotfiles-');
  await writeSkill(dotfiles, 'notes', skillText('notes', 'Notes kept elsewhere'));
  await fs.mkdir(path.join(dotfiles, 'notes/references'));
  await fs.writeFile(path.join(dotfiles, 'notes/references/a.md'), 'a\n');
  await fs.mkdir(path.join(home, 'skills'));
  await fs.symlink(path.join(dotfiles, 'notes'), path.join(home, 'skills/notes'));
  const catalog = await loadSkillCatalog({ cwd, home });
  const manage = createSkillTools({ catalog, cwd, home, usage: new FileSkillUsage(home) }).find(
    (t) => t.name === 'skill_manage',
  ) as ToolDefinition<unknown>;
  const run = (input: unknown) =>
    manage.run(manage.inputSchema.parse(input), toolHarness(cwd, ['allow_once']).ctx);
  await run({ action: 'remove_file', name: 'notes', scope: 'user', file_path: 'references/a.md' });
  await assert.rejects(fs.stat(path.join(dotfiles, 'notes/references/a.md')));
  await run({ action: 'delete', name: 'notes', scope: 'user' });
  await assert.rejects(fs.lstat(path.join(home, 'skills/notes')));
  assert.ok(await fs.stat(path.join(dotfiles, 'notes/SKILL.md')), 'the dotfiles copy is untouched');
});
