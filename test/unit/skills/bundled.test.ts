import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledSkillsDir, packageRoot } from '../../../agent-server/config/package-root.js';
import { loadSkillCatalog, scanSkillText } from '../../../agent-server/skills/index.js';
import { tempDir } from './helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

test('packageRoot finds the folder holding the cairn package.json', () => {
  assert.equal(packageRoot(), repoRoot);
  assert.equal(bundledSkillsDir(), path.join(repoRoot, 'skills'));
});

// Three of them are delegate roles (explorer, reviewer, test-runner).
test('the bundled skills all load, without errors, 6 to 13 of them, each folder named as its skill', async () => {
  const catalog = await loadSkillCatalog({
    home: await tempDir('cairn-home-'),
    bundledDir: bundledSkillsDir(),
  });
  assert.deepEqual(catalog.errors, []);
  assert.ok(catalog.skills.length >= 6 && catalog.skills.length <= 13, `${catalog.skills.length} skills`);
  for (const s of catalog.skills) {
    assert.equal(s.source, 'bundled');
    assert.equal(path.basename(s.dir), s.name);
    assert.notEqual(s.category, 'general', `${s.name} has a category`);
    assert.ok(s.description.length <= 300, `${s.name}: short description for the index`);
    assert.match(s.description, /Use (for|when|before|after)/, `${s.name}: says when to use it`);
    assert.match(s.body, /^(## )?1\. /m, `${s.name}: has numbered steps`);
  }
  const folders = fs.readdirSync(bundledSkillsDir()).filter((f) => !f.startsWith('.'));
  assert.equal(folders.length, catalog.skills.length);
});

test('the bundled skills pass the injection scan, so a copy in a repo would load', () => {
  for (const folder of fs.readdirSync(bundledSkillsDir())) {
    const text = fs.readFileSync(path.join(bundledSkillsDir(), folder, 'SKILL.md'), 'utf8');
    assert.deepEqual(scanSkillText(text), { ok: true }, folder);
  }
});

test('skills that reference each other reference ones that exist', async () => {
  const catalog = await loadSkillCatalog({
    home: await tempDir('cairn-home-'),
    bundledDir: bundledSkillsDir(),
  });
  const names = new Set(catalog.skills.map((s) => s.name));
  for (const s of catalog.skills) {
    for (const m of s.body.matchAll(/`([a-z0-9-]+)` skill|see `([a-z0-9-]+)`/g)) {
      const ref = m[1] ?? m[2]!;
      assert.ok(names.has(ref), `${s.name} refers to missing skill ${ref}`);
    }
  }
});
