import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { lockFile } from '../util/file-lock.js';
import type { JobRunOutcome } from './job-types.js';

/** What an editor shows of a job run's session besides what history has. */
export interface JobRunMark {
  jobId: string;
  outcome: JobRunOutcome;
  /** Nobody has opened the run's session yet: editors badge it. */
  unseen: boolean;
  endedAt: number;
}

interface MarksFile {
  version: 1;
  sessions: Record<string, JobRunMark>;
}

/** Older runs are forgotten (seen or not): a badge for a run from months ago helps nobody. */
const KEEP = 500;

/**
 * Job run sessions by history id, with their outcome and whether anyone has looked at them
 * yet (`jobs/run-sessions.json`). History fixes a session's origin when it is created, before
 * the run's outcome is known; this small file holds what changes after. Written under a
 * cross-process lock: the scheduler marks runs while an editor's `cairn acp` marks them seen.
 */
export class JobRunMarks {
  readonly file: string;

  constructor(home: string) {
    this.file = path.join(home, 'jobs', 'run-sessions.json');
  }

  async all(): Promise<Record<string, JobRunMark>> {
    try {
      const parsed = JSON.parse(await fs.readFile(this.file, 'utf8')) as MarksFile;
      return parsed.version === 1 && parsed.sessions && typeof parsed.sessions === 'object'
        ? parsed.sessions
        : {};
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      // A damaged file loses badges, never a run: the runs themselves are in history and the journal.
      if (err instanceof SyntaxError) return {};
      throw err;
    }
  }

  /** A run ended: its session is unseen until someone opens it. */
  markRun(sessionId: string, mark: Omit<JobRunMark, 'unseen'>): Promise<void> {
    return this.change((sessions) => {
      sessions[sessionId] = { ...mark, unseen: true };
      return true;
    });
  }

  /**
   * The session was opened (loaded or resumed). Nothing is written when it was not an unseen job
   * run. Never fails the opening: a mark that cannot be written is logged (the badge stays).
   */
  async markSeen(sessionId: string): Promise<void> {
    const known: Record<string, JobRunMark> = await this.all().catch(() => ({}));
    // Most sessions are not job runs: no lock taken for them.
    if (!known[sessionId]?.unseen) return;
    await this.change((sessions) => {
      const mark = sessions[sessionId];
      if (!mark?.unseen) return false;
      sessions[sessionId] = { ...mark, unseen: false };
      return true;
    }).catch((err: unknown) =>
      process.stderr.write(`cairn: job run ${sessionId} not marked seen: ${(err as Error).message}\n`),
    );
  }

  private async change(apply: (sessions: Record<string, JobRunMark>) => boolean): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const lock = await lockFile(this.file);
    try {
      const sessions = await this.all();
      if (!apply(sessions)) return;
      const kept = Object.entries(sessions)
        .sort(([, a], [, b]) => b.endedAt - a.endedAt)
        .slice(0, KEEP);
      const data: MarksFile = { version: 1, sessions: Object.fromEntries(kept) };
      await writeFileAtomic(this.file, JSON.stringify(data) + '\n', 0o600);
    } finally {
      await lock.release();
    }
  }
}
