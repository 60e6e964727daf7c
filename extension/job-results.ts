import type { SessionSummary } from '../shared/webview-protocol.js';

export type SessionPage = { sessions: SessionSummary[]; nextCursor: string | null };

/** What the Cairn view's badge shows: the unseen job results (0 shows no badge). */
export type ViewBadge = { value: number; tooltip: string };

/** Pages of session/list read for the count: job results are recent, so they come first. */
const MAX_PAGES = 5;

/** Scheduled jobs' runs nobody has opened yet (session/list `_meta.cairn`: origin job, unseen). */
export async function countUnseenJobResults(
  list: (cursor?: string) => Promise<SessionPage>,
): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await list(cursor);
    count += res.sessions.filter((s) => s.origin?.kind === 'job' && s.unseen).length;
    if (!res.nextCursor) break;
    cursor = res.nextCursor;
  }
  return count;
}

export function jobResultsBadge(count: number): ViewBadge {
  // A zero badge, not `undefined`: code-server 4.100 leaves the old number on the activity bar
  // when a webview view's badge is set to undefined (seen in the e2e); 0 hides it everywhere.
  if (count <= 0) return { value: 0, tooltip: '' };
  return { value: count, tooltip: `${count} job result${count === 1 ? '' : 's'} not seen yet` };
}

/**
 * Keeps the Cairn view's badge at the number of unseen job results. Refreshes run one at a
 * time; a refresh asked for while one runs runs once after it. A failure leaves the badge as
 * it was (logged): the list is a convenience, never in the way of the chat.
 */
export class JobResultsBadge {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly opts: {
      list: (cursor?: string) => Promise<SessionPage>;
      show: (badge: ViewBadge) => void;
      log: (line: string) => void;
    },
  ) {}

  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          this.opts.show(jobResultsBadge(await countUnseenJobResults(this.opts.list)));
        } catch (err) {
          this.opts.log(`[cairn] could not count job results: ${(err as Error).message}`);
        }
      } while (this.again);
    })().finally(() => (this.running = null));
    return this.running;
  }
}
