import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { countTokens } from 'gpt-tokenizer';
import { createHash } from 'node:crypto';
import { estimateTokens, loadSkillCatalog, renderSkillsIndex } from '../../../agent-server/skills/index.js';
import { tempDir, skillText, writeSkill } from './helpers.js';

const WORDS =
  'deploy build test release migrate database schema frontend backend cache queue worker auth token lint format review debug profile trace'.split(
    ' ',
  );

function description(i: number, length: number): string {
  let out = `Use when the task involves ${WORDS[i % WORDS.length]} work:`;
  for (let k = 0; out.length < length; k++) out += ` ${WORDS[(i * 7 + k) % WORDS.length]}`;
  return out.slice(0, length);
}

async function catalogWith(count: number, nameFor: (i: number) => string, descLength: number) {
  const home = await tempDir('cairn-home-');
  const userDir = path.join(home, 'skills');
  const categories = ['debugging', 'testing', 'release', 'git', 'ops'];
  for (let i = 0; i < count; i++) {
    const name = nameFor(i);
    await writeSkill(
      userDir,
      name,
      skillText(
        name,
        description(i, descLength),
        `# ${name}\nSECRET-BODY-${i}\n`,
        `metadata:\n  category: ${categories[i % 5]}\n`,
      ),
    );
  }
  return loadSkillCatalog({ home });
}

test('with 100 skills the index stays under 1,500 tokens (gpt-tokenizer) and says descriptions were shortened', async () => {
  const catalog = await catalogWith(
    100,
    (i) => `skill-${String(i).padStart(3, '0')}-${WORDS[i % WORDS.length]}`,
    1024,
  );
  assert.equal(catalog.skills.length, 100);
  const index = renderSkillsIndex(catalog);
  const tokens = countTokens(index);
  assert.ok(tokens < 1500, `index is ${tokens} tokens`);
  // Every skill is still named; descriptions are cut and the index says so.
  for (const s of catalog.skills) assert.ok(index.includes(`- ${s.name}`), s.name);
  assert.match(index, /Descriptions are shortened/);
  // Progressive disclosure: no body text in the prompt.
  assert.doesNotMatch(index, /SECRET-BODY/);
});

test('with 100 maximum-length names the index still fits, listing what it can and pointing at skills_list', async () => {
  const catalog = await catalogWith(100, (i) => `${String(i).padStart(3, '0')}-${'x'.repeat(60)}`, 1024);
  const index = renderSkillsIndex(catalog);
  const tokens = countTokens(index);
  assert.ok(tokens < 1500, `index is ${tokens} tokens`);
  assert.match(index, /and \d+ more skills not listed here: call `skills_list`/);
});

test('digit-heavy names (worst case for tokens per character) still fit under 1,500 tokens', async () => {
  const hex = (i: number) => createHash('sha256').update(String(i)).digest('hex').slice(0, 64);
  for (const nameFor of [hex, (i: number) => hex(i).slice(0, 16), (i: number) => `a.${i}.b_${i}-c.${i}`]) {
    const catalog = await catalogWith(100, nameFor, 1024);
    const tokens = countTokens(renderSkillsIndex(catalog));
    assert.ok(tokens < 1500, `${nameFor(1)}...: index is ${tokens} tokens`);
  }
});

test('estimateTokens errs high for prose', () => {
  const prose =
    'Use when the deploy pipeline fails and the cache needs rebuilding for the frontend team. '.repeat(20);
  assert.ok(estimateTokens(prose) >= countTokens(prose));
});

test('a few skills are listed with their descriptions, grouped by category, and the nudges are there', async () => {
  const catalog = await catalogWith(3, (i) => ['alpha', 'beta', 'gamma'][i]!, 80);
  const index = renderSkillsIndex(catalog);
  assert.match(index, /## debugging\n- alpha: Use when the task involves deploy work:/);
  assert.match(index, /## testing\n- beta: /);
  assert.doesNotMatch(index, /shortened/);
  assert.match(index, /call `skill_view`/);
  assert.match(index, /offer to save it as a skill with `skill_manage`/);
  assert.match(index, /action `patch`/);
  // Byte-stable: rendering again gives the same text.
  assert.equal(renderSkillsIndex(catalog), index);
});
