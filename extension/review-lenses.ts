/**
 * The labelled Accept / Reject actions at the top of a review diff (CodeLens on the proposed
 * side of `cairn-review:/<reviewId>/<side>/<name>`). No `vscode` import: the adapter in
 * `vscode/review-editor.ts` turns these into `vscode.CodeLens`es.
 */
export type ReviewSide = 'current' | 'proposed';

export type ReviewLens = {
  title: string;
  tooltip: string;
  command: 'cairn.acceptEdit' | 'cairn.rejectEdit';
};

/** The review and side a review document's path names, or null for any other path. */
export function parseReviewPath(path: string): { reviewId: string; side: ReviewSide } | null {
  const match = /^\/([^/]+)\/(current|proposed)\//.exec(path);
  return match ? { reviewId: match[1]!, side: match[2] as ReviewSide } : null;
}

/** Accept / Reject for a pending review's proposed side (the left side is only context). */
export function reviewLenses(path: string, isPending: (reviewId: string) => boolean): ReviewLens[] {
  const review = parseReviewPath(path);
  if (!review || review.side !== 'proposed' || !isPending(review.reviewId)) return [];
  return [
    {
      title: '✓ Accept edit',
      tooltip: 'Write this change to the file (Ctrl+Alt+Y / ⌘⌥Y)',
      command: 'cairn.acceptEdit',
    },
    {
      title: '✗ Reject edit',
      tooltip: 'Leave the file unchanged and tell the agent (Ctrl+Alt+N / ⌘⌥N)',
      command: 'cairn.rejectEdit',
    },
  ];
}
