import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { FrontmatterCache } from '../../../agent-server/skills/frontmatter-cache.js';
import { SkillFormatError } from '../../../agent-server/skills/skill-frontmatter.js';
import { loadSkillCatalog } from '../../../agent-server/skills/index.js';

const SKILL = '---\nname: deploy\ndescription: Ship it # a comment YAML drops\n---\n# Deploy\nSteps.\n';

async function tempHome(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'cairn-fm-cache-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  return home;
}

type CacheFile = { format: number; entries: Record<string, { name: string; description: string }> };

test('a frontmatter seen before is read from the cache, not parsed again; validation still runs', async (t) => {
  const home = await tempHome(t);
  const first = FrontmatterCache.inHome(home);
  const parsed = await first.parse(SKILL, 'SKILL.md');
  assert.equal(parsed.frontmatter.description, 'Ship it');
  assert.equal(parsed.body, '# Deploy\nSteps.\n');
  await first.save();

  // What the next process gets comes from the file: change it and the parse result follows.
  const file = path.join(home, 'cache', 'skill-frontmatter.json');
  const data = JSON.parse(await readFile(file, 'utf8')) as CacheFile;
  const [key] = Object.keys(data.entries);
  assert.ok(key);
  data.entries[key]!.description = 'from the cache';
  await writeFile(file, JSON.stringify(data));
  assert.equal(
    (await FrontmatterCache.inHome(home).parse(SKILL, 'SKILL.md')).frontmatter.description,
    'from the cache',
  );

  // A cached value that breaks the schema is still refused.
  data.entries[key]!.name = 'Not A Name';
  await writeFile(file, JSON.stringify(data));
  await assert.rejects(FrontmatterCache.inHome(home).parse(SKILL, 'SKILL.md'), SkillFormatError);
});

test('broken frontmatter is never cached and always gets the parser own error; a corrupt cache is ignored', async (t) => {
  const home = await tempHome(t);
  const cache = FrontmatterCache.inHome(home);
  await assert.rejects(
    cache.parse('---\nname: [unclosed\n---\n', 'a/SKILL.md'),
    /a\/SKILL.md: frontmatter is not valid YAML/,
  );
  await assert.rejects(cache.parse('no frontmatter', 'b/SKILL.md'), /missing YAML frontmatter/);
  await cache.save();
  await assert.rejects(readFile(path.join(home, 'cache', 'skill-frontmatter.json')), { code: 'ENOENT' });

  await mkdir(path.join(home, 'cache'));
  await writeFile(path.join(home, 'cache', 'skill-frontmatter.json'), '{not json');
  assert.equal((await FrontmatterCache.inHome(home).parse(SKILL, 'SKILL.md')).frontmatter.name, 'deploy');
});

test('a session catalog fills the cache, and the next catalog from the same home lists the same skills', async (t) => {
  const home = await tempHome(t);
  const bundled = await mkdtemp(path.join(os.tmpdir(), 'cairn-fm-bundled-'));
  t.after(() => rm(bundled, { recursive: true, force: true }));
  for (const name of ['alpha', 'beta']) {
    await mkdir(path.join(bundled, name));
    await writeFile(
      path.join(bundled, name, 'SKILL.md'),
      `---\nname: ${name}\ndescription: The ${name} skill\n---\nBody\n`,
    );
  }
  const first = await loadSkillCatalog({ home, bundledDir: bundled });
  const cached = JSON.parse(
    await readFile(path.join(home, 'cache', 'skill-frontmatter.json'), 'utf8'),
  ) as CacheFile;
  assert.equal(Object.keys(cached.entries).length, 2);
  const second = await loadSkillCatalog({ home, bundledDir: bundled });
  assert.deepEqual(
    second.skills.map((s) => [s.name, s.description]),
    first.skills.map((s) => [s.name, s.description]),
  );
  assert.deepEqual(
    second.skills.map((s) => s.name),
    ['alpha', 'beta'],
  );
});
