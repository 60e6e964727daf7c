import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entryLine, learningItems } from '../../../extension/learning/learning-items.js';

const provenance = {
  sessionId: 'abcdef1234567890',
  date: '2025-04-02T09:00:00Z',
  project: '/w',
  prompt: 'fix CI',
};

test('the Memory & Skills view lists entries and skills with provenance and the actions each allows', () => {
  const items = learningItems(
    {
      entries: [
        {
          id: 'project/memory/1',
          scope: 'project',
          target: 'memory',
          path: '/h/p/MEMORY.md',
          index: 1,
          text: 'CI uses Node 20.',
          provenance,
          blocked: [],
        },
        {
          id: 'global/user/1',
          scope: 'global',
          target: 'user',
          path: '/h/USER.md',
          index: 1,
          text: 'Likes tabs.',
          blocked: [],
        },
      ],
    },
    {
      skills: [
        {
          name: 'deploy',
          source: 'user',
          file: '/h/skills/deploy/SKILL.md',
          scan: 'passed',
          provenance,
          from: 'create by session …',
          views: 3,
          lastUsed: '2025-04-03T00:00:00Z',
          stale: false,
        },
        {
          name: 'tdd',
          source: 'bundled',
          file: '/b/tdd/SKILL.md',
          scan: 'not scanned (bundled)',
          provenance: null,
          from: 'shipped with Cairn',
          views: 0,
          lastUsed: null,
          stale: true,
        },
      ],
      refused: [
        {
          name: 'evil',
          file: '/w/.claude/skills/evil/SKILL.md',
          source: 'claude',
          reasons: ['prompt injection'],
        },
      ],
      inactive: [
        {
          name: 'lint',
          file: '/w/.cairn/skills/lint/SKILL.md',
          source: 'project',
          reason: 'disabled by the user (…)',
        },
      ],
    },
  );
  const [memory, skills] = items;
  const projectNotes = memory!.children!.find((g) => g.label === 'Project notes')!;
  const entry = projectNotes.children![0]!;
  assert.equal(entry.description, 'session abcdef12, 2025-04-02: “fix CI”');
  assert.deepEqual(entry.actions, ['forget', 'edit', 'open-session']);
  assert.equal(entry.sessionId, provenance.sessionId);
  const byHand = memory!.children!.find((g) => g.label === 'About you')!.children![0]!;
  assert.equal(byHand.description, 'by hand');
  assert.deepEqual(byHand.actions, ['forget', 'edit']);

  const [repo, user, bundled] = skills!.children!;
  assert.deepEqual(user!.children![0]!.actions, ['edit', 'disable', 'remove-skill', 'open-session']);
  assert.match(user!.children![0]!.description!, /used 3×, last 2025-04-03/);
  assert.deepEqual(bundled!.children![0]!.actions, ['edit', 'disable']);
  assert.match(bundled!.children![0]!.description!, /stale/);
  assert.deepEqual(
    repo!.children!.map((c) => [c.label, c.description, c.actions]),
    [
      ['lint', 'disabled', ['enable']],
      ['evil', 'refused by the scanner: prompt injection', []],
    ],
  );
});

test('an entry opens at its own line in the memory file', () => {
  assert.equal(entryLine('first\n§\nsecond\nmore\n§\nthird\n', 3), 5);
  assert.equal(entryLine('first\n§\n\nsecond\n', 2), 3);
});

test('memory entries show how often sessions used them, when last, and when they went stale', () => {
  const entry = {
    scope: 'project' as const,
    target: 'memory' as const,
    path: '/h/p/MEMORY.md',
    provenance,
    blocked: [],
  };
  const items = learningItems(
    {
      entries: [
        {
          ...entry,
          id: 'project/memory/1',
          index: 1,
          text: 'Used.',
          uses: 4,
          lastUsed: '2025-05-01T08:00:00Z',
          stale: false,
        },
        { ...entry, id: 'project/memory/2', index: 2, text: 'Old.', uses: 0, lastUsed: null, stale: true },
      ],
    },
    { skills: [], refused: [], inactive: [] },
  );
  const project = items[0]!.children!.find((g) => g.label === 'Project notes')!;
  const [used, old] = project.children!;
  assert.match(used!.description!, /^session abcdef12, 2025-04-02: “fix CI” · used 4×, last 2025-05-01$/);
  assert.match(old!.description!, / · stale$/);
  assert.doesNotMatch(old!.description!, /used/);
});
