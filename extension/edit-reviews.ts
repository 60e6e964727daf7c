import { randomUUID } from 'node:crypto';
import { diffLines } from 'diff';
import type { ReviewCard, ReviewOutcome } from '../shared/webview-protocol.js';

/** The file as the user sees it now: the open document's text (unsaved edits included), else disk. */
export type FileSnapshot = { text: string; exists: boolean; dirty: boolean };

export type EditProposal = {
  sessionId: string;
  path: string;
  newText: string;
  source: ReviewCard['source'];
  toolCallId: string | null;
  /** The user auto-approves edits in this workspace: apply without a diff, unless it has unsaved edits. */
  autoApply: boolean;
};

export type PendingReview = ReviewCard & {
  /** Left side of the diff: the text the user has now. */
  currentText: string;
  newText: string;
};

/** The editor side of a review (the VS Code adapter): diff editor, applying, closing. */
export interface ReviewPresenter {
  snapshot(path: string): Promise<FileSnapshot>;
  relativePath(path: string): string;
  /** Opens (or re-reveals) the diff editor for the review without taking focus. */
  show(review: PendingReview): Promise<void>;
  /** The left side changed (the user edited the file while the review was open). */
  refresh(review: PendingReview): void;
  /** Replaces the file's text with `newText` as one undoable edit, and saves. */
  apply(review: PendingReview): Promise<void>;
  close(review: PendingReview): void;
}

export type ReviewEvents = {
  opened(card: ReviewCard): void;
  resolved(reviewId: string, outcome: ReviewOutcome): void;
};

export type AcceptResult = 'applied' | 'approved' | 'stale';

/**
 * The pending inline edit reviews. A proposal becomes a diff the user accepts or rejects;
 * nothing reaches the file without an accept. Permission-sourced reviews only answer the
 * permission (the agent then writes): that write is pre-approved so it is not reviewed twice.
 */
export class EditReviews {
  private readonly pending = new Map<
    string,
    { review: PendingReview; settle: (o: ReviewOutcome) => void; fail: (err: unknown) => void }
  >();
  private readonly preapproved = new Map<string, string>();

  /**
   * @param guard checks a path right before it is read for the diff and right before it is
   * written (an accept can come minutes later); a refusal ends the review with that error.
   */
  constructor(
    private readonly presenter: ReviewPresenter,
    private readonly events: ReviewEvents,
    private readonly guard?: { check(path: string): void },
  ) {}

  /** Opens a review and resolves with the user's decision. */
  async propose(proposal: EditProposal, signal?: AbortSignal): Promise<ReviewOutcome> {
    this.guard?.check(proposal.path);
    const snapshot = await this.presenter.snapshot(proposal.path);
    if (signal?.aborted) return 'cancelled';
    const approved =
      proposal.source === 'write' &&
      ((proposal.autoApply && !snapshot.dirty) ||
        this.takePreapproval(proposal.path, proposal.newText, snapshot));
    if (approved) {
      const review = this.makeReview(proposal, snapshot);
      this.guard?.check(review.path);
      await this.presenter.apply(review);
      return 'accepted';
    }
    const review = this.makeReview(proposal, snapshot);
    const outcome = new Promise<ReviewOutcome>((settle, fail) =>
      this.pending.set(review.reviewId, { review, settle, fail }),
    );
    signal?.addEventListener('abort', () => this.settle(review.reviewId, 'cancelled'), { once: true });
    this.events.opened(card(review));
    await this.presenter.show(review);
    return await outcome;
  }

  /**
   * Applies (or approves) a review. If the file changed since the diff was drawn, the diff is
   * redrawn against the current text and the review stays open: the user must see what
   * they are overwriting.
   */
  async accept(reviewId: string): Promise<AcceptResult> {
    const entry = this.require(reviewId);
    const { review } = entry;
    const now = await this.presenter.snapshot(review.path);
    if (now.text !== review.currentText || now.exists === review.isNewFile) {
      review.currentText = now.text;
      review.isNewFile = !now.exists;
      review.hadUnsavedChanges = review.hadUnsavedChanges || now.dirty;
      Object.assign(review, countLines(review.currentText, review.newText));
      this.presenter.refresh(review);
      this.events.opened(card(review));
      return 'stale';
    }
    if (review.source === 'write') {
      try {
        this.guard?.check(review.path);
      } catch (err) {
        // The path changed while the user decided (say, a folder became a link out): not written.
        this.pending.delete(reviewId);
        this.presenter.close(review);
        this.events.resolved(reviewId, 'cancelled');
        entry.fail(err);
        throw err;
      }
      await this.presenter.apply(review);
    } else this.preapproved.set(review.path, review.newText);
    this.settle(reviewId, 'accepted');
    return review.source === 'write' ? 'applied' : 'approved';
  }

  reject(reviewId: string): void {
    this.require(reviewId);
    this.settle(reviewId, 'rejected');
  }

  /** Ends the reviews of a session (turn cancelled, server gone); their files stay untouched. */
  cancelSession(sessionId: string | null): void {
    for (const [id, { review }] of this.pending) {
      if (sessionId === null || review.sessionId === sessionId) this.settle(id, 'cancelled');
    }
    if (sessionId === null) this.preapproved.clear();
  }

  get(reviewId: string): PendingReview | undefined {
    return this.pending.get(reviewId)?.review;
  }

  list(): ReviewCard[] {
    return [...this.pending.values()].map((e) => card(e.review));
  }

  get size(): number {
    return this.pending.size;
  }

  private makeReview(p: EditProposal, snapshot: FileSnapshot): PendingReview {
    return {
      reviewId: `review-${randomUUID()}`,
      sessionId: p.sessionId,
      path: p.path,
      relPath: this.presenter.relativePath(p.path),
      toolCallId: p.toolCallId,
      source: p.source,
      isNewFile: !snapshot.exists,
      hadUnsavedChanges: snapshot.dirty,
      currentText: snapshot.text,
      newText: p.newText,
      ...countLines(snapshot.text, p.newText),
    };
  }

  private takePreapproval(path: string, newText: string, snapshot: FileSnapshot): boolean {
    const approved = this.preapproved.get(path);
    if (approved === undefined) return false;
    this.preapproved.delete(path);
    // An approval covers exactly the text that was shown, and never hides unsaved user edits.
    return approved === newText && !snapshot.dirty;
  }

  private require(reviewId: string) {
    const entry = this.pending.get(reviewId);
    if (!entry) throw new Error('This edit review is no longer pending.');
    return entry;
  }

  private settle(reviewId: string, outcome: ReviewOutcome): void {
    const entry = this.pending.get(reviewId);
    if (!entry) return;
    this.pending.delete(reviewId);
    this.presenter.close(entry.review);
    this.events.resolved(reviewId, outcome);
    entry.settle(outcome);
  }
}

export function countLines(oldText: string, newText: string): { linesAdded: number; linesRemoved: number } {
  let linesAdded = 0;
  let linesRemoved = 0;
  for (const c of diffLines(oldText, newText)) {
    if (c.added) linesAdded += c.count;
    else if (c.removed) linesRemoved += c.count;
  }
  return { linesAdded, linesRemoved };
}

function card(r: PendingReview): ReviewCard {
  const { currentText: _c, newText: _n, ...rest } = r;
  return { ...rest };
}
