import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReviewPath, reviewLenses } from '../../../extension/review-lenses.js';

test('a pending review’s proposed side gets labelled Accept and Reject lenses', () => {
  const lenses = reviewLenses('/review-1/proposed/app.ts', (id) => id === 'review-1');
  assert.deepEqual(
    lenses.map((l) => [l.title, l.command]),
    [
      ['✓ Accept edit', 'cairn.acceptEdit'],
      ['✗ Reject edit', 'cairn.rejectEdit'],
    ],
  );
  assert.match(lenses[0]!.tooltip, /Ctrl\+Alt\+Y/, 'the keybinding stays discoverable');
});

test('no lenses on the current side, for a review no longer pending, or for other paths', () => {
  const pending = () => true;
  assert.deepEqual(reviewLenses('/review-1/current/app.ts', pending), []);
  assert.deepEqual(
    reviewLenses('/review-1/proposed/app.ts', () => false),
    [],
  );
  assert.deepEqual(reviewLenses('/somewhere/else.ts', pending), []);
  assert.deepEqual(parseReviewPath('/r-2/proposed/dir/a.ts'), { reviewId: 'r-2', side: 'proposed' });
});
