import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learningItems } from '../../../extension/learning/learning-items.js';

test('memory rows show how often the entry was in a prompt, when last, and staleness', () => {
  const entry = {
    scope: 'global' as const,
    target: 'memory' as const,
    path: '/h/MEMORY.md',
    blocked: [],
  };
  const [memory] = learningItems(
    {
      entries: [
        {
          ...entry,
          id: 'global/memory/1',
          index: 1,
          text: 'Used.',
          uses: 4,
          lastUsed: '2025-05-06T10:00:00Z',
          stale: false,
        },
        { ...entry, id: 'global/memory/2', index: 2, text: 'Idle.', uses: 0, lastUsed: null, stale: true },
      ],
    },
    { skills: [], refused: [], inactive: [] },
  );
  const rows = memory!.children!.find((g) => g.label === 'Global notes')!.children!;
  assert.deepEqual(
    rows.map((r) => r.description),
    ['by hand · used 4×, last 2025-05-06', 'by hand · stale'],
  );
});
