import * as path from 'node:path';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { projectKey } from '../config/home.js';
import { lockFile } from '../util/file-lock.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import {
  deleteCheckpoints,
  newCheckpointId,
  readCheckpoints,
  writeAfter,
  writeBefore,
  type CheckpointInfo,
  type CheckpointKind,
  type CheckpointStats,
} from './checkpoint-refs.js';
import { gitVersion, GitCommandError, GitUnavailableError, ShadowGit } from './shadow-git.js';
import { snapshotWorkspace, type WorkspaceSnapshot } from './snapshot.js';
import { diffStat, diffTreePairs, pairKey } from './tree-diff.js';

export interface CheckpointSettings {
  /** Files larger than this are left out of checkpoints (with a note). */
  maxFileBytes: number;
  /** Checkpoints older than this are removed by gc. */
  keepDays: number;
  /** …and the oldest, while the shadow repository is larger than this. */
  keepBytes: number;
  /** gitignore patterns left out besides the project's and Cairn's defaults. */
  exclude: readonly string[];
}

/** Written before a restore starts and removed when it ends: its presence at start means a crash. */
const RESTORE_MARKER = 'restore-in-progress.json';
const GC_STAMP = 'last-gc';
const DAY_MS = 24 * 60 * 60 * 1000;

/** What a new checkpoint records besides the files. */
export interface CheckpointMeta {
  kind: CheckpointKind;
  label: string;
  sessionId?: string;
  restoredTo?: string;
  /** For a turn: the index of its user prompt in the session (a conversation rewind forks there). */
  userMessage?: number;
}

/** The folder holding one workspace's checkpoints in Cairn's home. */
export function checkpointDir(home: string, workspace: string): string {
  return path.join(home, 'checkpoints', projectKey(workspace));
}

/**
 * One workspace's checkpoints: the shadow git repository in Cairn's home and what is done with it
 * under a lock shared by every Cairn process (two sessions on one workspace take turns). The
 * user's own `.git` is never read or written. Restoring is in `restore.ts`.
 */
export class CheckpointStore {
  readonly git: ShadowGit;
  /** Problems found and repaired (or reported) when the store was opened. */
  readonly notices: string[] = [];

  private constructor(
    readonly dir: string,
    readonly workspace: string,
    readonly settings: CheckpointSettings,
  ) {
    this.git = new ShadowGit(path.join(dir, 'repo.git'), workspace);
  }

  /** Opens (creating when new) the store; throws GitUnavailableError when git cannot run. */
  static async open(home: string, workspace: string, settings: CheckpointSettings): Promise<CheckpointStore> {
    const git = await gitVersion();
    if (!git.ok) throw new GitUnavailableError(git.problem);
    const store = new CheckpointStore(checkpointDir(home, workspace), path.resolve(workspace), settings);
    await mkdir(store.dir, { recursive: true });
    await store.locked(async () => {
      await store.git.ensureInitialised(settings.exclude);
      await store.repair();
    });
    return store;
  }

  /** Runs `work` holding the workspace's checkpoint lock (across processes; dead holders are cleared). */
  async locked<T>(work: () => Promise<T>): Promise<T> {
    const lock = await lockFile(path.join(this.dir, 'repo'));
    try {
      return await work();
    } finally {
      // A lock taken over as stale (a very slow first checkpoint on a loaded machine) is already
      // gone: proper-lockfile has logged that through onCompromised; the work itself is done.
      await lock.release().catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'ERELEASED') throw err;
      });
    }
  }

  /**
   * After a crash: git's own lock files left behind (we hold the only lock, so none is live), an
   * unreadable index (it is only a cache: the next snapshot hashes again), an unfinished restore.
   */
  private async repair(): Promise<void> {
    const stale = [path.join(this.git.gitDir, 'index.lock'), path.join(this.git.gitDir, 'packed-refs.lock')];
    stale.push(...(await lockFilesUnder(path.join(this.git.gitDir, 'refs'))));
    for (const file of stale) {
      if (await stat(file).catch(() => undefined)) {
        await rm(file, { force: true });
        this.notices.push(
          `Checkpoints: removed ${path.basename(file)} left by a Cairn process that stopped mid-checkpoint.`,
        );
      }
    }
    const marker = await readFile(path.join(this.dir, RESTORE_MARKER), 'utf8').catch(() => undefined);
    if (marker !== undefined) {
      let target = 'a checkpoint';
      let before: string | undefined;
      try {
        const m = JSON.parse(marker) as { target?: string; before?: string };
        if (m.target) target = `checkpoint ${m.target}`;
        before = m.before;
      } catch {
        // unreadable marker: still worth reporting
      }
      this.notices.push(
        `Checkpoints: a restore to ${target} was interrupted (Cairn stopped during it). Each file is either as ` +
          `it was or as restored, but not every file may have been restored.` +
          (before
            ? ` Checkpoint ${before} holds the files as they were before it: /undo brings them back.`
            : ''),
      );
      await rm(path.join(this.dir, RESTORE_MARKER), { force: true });
    }
  }

  /** The workspace's files now, in the shadow repository (unlocked: callers hold the lock). */
  async snapshotUnlocked(): Promise<WorkspaceSnapshot> {
    try {
      return await snapshotWorkspace(this.git, this.settings.maxFileBytes);
    } catch (err) {
      // A torn or foreign index: drop it (a cache of stat data and blob ids) and hash everything once.
      if (!(err instanceof GitCommandError) || !/index/i.test(err.stderr)) throw err;
      await rm(path.join(this.git.gitDir, 'index'), { force: true });
      this.notices.push('Checkpoints: the shadow index was unreadable and was rebuilt.');
      return snapshotWorkspace(this.git, this.settings.maxFileBytes);
    }
  }

  /** Records the files as they are now, before a turn (or a restore) changes them. */
  async create(meta: CheckpointMeta): Promise<CheckpointInfo> {
    return this.locked(() => this.createUnlocked(meta));
  }

  async createUnlocked(
    meta: CheckpointMeta,
    snapshot?: Pick<WorkspaceSnapshot, 'tree' | 'skipped'>,
  ): Promise<CheckpointInfo> {
    const snap = snapshot ?? (await this.snapshotUnlocked());
    const createdAt = new Date();
    const info: CheckpointInfo = {
      id: newCheckpointId(createdAt),
      kind: meta.kind,
      createdAt,
      label: firstLine(meta.label),
      tree: snap.tree,
      skipped: snap.skipped,
      ...(meta.sessionId ? { sessionId: meta.sessionId } : {}),
      ...(meta.restoredTo ? { restoredTo: meta.restoredTo } : {}),
      ...(meta.userMessage !== undefined ? { userMessage: meta.userMessage } : {}),
    };
    await writeBefore(this.git, info);
    return info;
  }

  /** Records the files as they are now as checkpoint `id`'s "after" (after each change of a turn). */
  async recordAfter(id: string): Promise<CheckpointInfo | undefined> {
    return this.locked(async () => {
      const info = (await readCheckpoints(this.git)).find((c) => c.id === id);
      if (!info) return undefined;
      const after = await this.snapshotUnlocked();
      // Stats wait for the turn's end: a turn may change files many times.
      if (after.tree !== info.afterTree) await writeAfter(this.git, info.id, after.tree);
      return { ...info, afterTree: after.tree };
    });
  }

  /**
   * When the turn has ended: keeps the "after" recorded by its last change (files edited since are
   * someone else's), or records it now when there is none. A checkpoint whose turn changed nothing
   * is removed (a turn that only tried to write costs nothing later); returns undefined then.
   */
  async finish(id: string): Promise<CheckpointInfo | undefined> {
    return this.locked(async () => {
      const info = (await readCheckpoints(this.git)).find((c) => c.id === id);
      if (!info) return undefined;
      const afterTree = info.afterTree ?? (await this.snapshotUnlocked()).tree;
      return this.finishUnlocked(info, afterTree);
    });
  }

  /** `withStats: false` leaves the +/− counts to the next listing (a restore keeps its git runs few). */
  async finishUnlocked(
    info: CheckpointInfo,
    afterTree: string,
    opts: { withStats?: boolean } = {},
  ): Promise<CheckpointInfo | undefined> {
    if (afterTree === info.tree) {
      await deleteCheckpoints(this.git, [info.id]);
      return undefined;
    }
    if (info.afterTree === afterTree && info.stats) return info;
    const stats = opts.withStats === false ? undefined : await diffStat(this.git, info.tree, afterTree);
    await writeAfter(this.git, info.id, afterTree, stats);
    return { ...info, afterTree, ...(stats ? { stats } : {}) };
  }

  /**
   * Every checkpoint, newest first, but those whose turn is known to have changed nothing (left
   * when a process stopped before closing its turn). Stats a restore left for later are worked out.
   */
  async list(): Promise<CheckpointInfo[]> {
    const all = await this.listed();
    const missing = all.filter((c) => c.afterTree && !c.stats);
    if (missing.length) {
      const details = await this.details(missing);
      for (const c of missing) c.stats = totals(details.get(c.id) ?? []);
    }
    return all;
  }

  /** What each checkpoint's turn or restore changed, file by file (one git run for all of them). */
  async details(infos: readonly CheckpointInfo[]): Promise<Map<string, CheckpointFileChange[]>> {
    const ended = infos.filter((c): c is CheckpointInfo & { afterTree: string } => c.afterTree !== undefined);
    const diffs = await diffTreePairs(
      this.git,
      ended.map((c) => [c.tree, c.afterTree] as const),
      { numstat: true },
    );
    const out = new Map<string, CheckpointFileChange[]>();
    for (const c of infos) {
      const diff = c.afterTree ? diffs.get(pairKey(c.tree, c.afterTree)) : undefined;
      out.set(
        c.id,
        (diff?.changes ?? []).map((change) => {
          const lines = diff?.lines.get(change.path) ?? {};
          return {
            path: change.path,
            status: !change.fromBlob ? 'added' : !change.toBlob ? 'deleted' : 'modified',
            added: lines.added ?? 0,
            removed: lines.removed ?? 0,
            ...(lines.added === undefined ? { binary: true } : {}),
          };
        }),
      );
    }
    return out;
  }

  private async listed(): Promise<CheckpointInfo[]> {
    return (await readCheckpoints(this.git)).filter((c) => c.afterTree !== c.tree);
  }

  /** A checkpoint by id, or by its number in the list (1 = newest). */
  async find(ref: string): Promise<CheckpointInfo | undefined> {
    const all = await this.listed();
    if (/^\d{1,6}$/.test(ref)) return all[Number(ref) - 1];
    return all.find((c) => c.id === ref);
  }

  markRestoreStarted(target: string, before: string): Promise<void> {
    return writeFileAtomic(path.join(this.dir, RESTORE_MARKER), JSON.stringify({ target, before }));
  }

  markRestoreEnded(): Promise<void> {
    return rm(path.join(this.dir, RESTORE_MARKER), { force: true });
  }

  /**
   * Removes checkpoints older than `keepDays`, then the oldest while the repository is larger than
   * `keepBytes` (the newest is always kept), and the objects nothing refers to any more.
   */
  async gc(now = new Date()): Promise<{ removed: number; kept: number; bytes: number }> {
    return this.locked(async () => {
      let all = await readCheckpoints(this.git);
      const cutoff = now.getTime() - this.settings.keepDays * DAY_MS;
      const old = all.slice(1).filter((c) => c.createdAt.getTime() < cutoff);
      await deleteCheckpoints(
        this.git,
        old.map((c) => c.id),
      );
      let removed = old.length;
      all = all.filter((c) => !old.includes(c));
      await this.git.run(['gc', '--quiet', '--prune=now']);
      let bytes = await folderBytes(path.join(this.git.gitDir, 'objects'));
      while (bytes > this.settings.keepBytes && all.length > 1) {
        // Drop the oldest quarter at a time: how much each frees is only known after repacking.
        const drop = all.slice(all.length - Math.max(1, Math.floor(all.length / 4)));
        await deleteCheckpoints(
          this.git,
          drop.map((c) => c.id),
        );
        removed += drop.length;
        all = all.slice(0, all.length - drop.length);
        await this.git.run(['gc', '--quiet', '--prune=now']);
        bytes = await folderBytes(path.join(this.git.gitDir, 'objects'));
      }
      await writeFileAtomic(path.join(this.dir, GC_STAMP), now.toISOString());
      return { removed, kept: all.length, bytes };
    });
  }

  /** Whether a gc is due: the last one was more than a day ago (a new store counts from its first use). */
  async gcDue(now = new Date()): Promise<boolean> {
    const last = await readFile(path.join(this.dir, GC_STAMP), 'utf8').catch(() => undefined);
    if (last === undefined) {
      await writeFileAtomic(path.join(this.dir, GC_STAMP), now.toISOString());
      return false;
    }
    return now.getTime() - new Date(last).getTime() >= DAY_MS;
  }
}

/** One file a checkpoint's turn or restore changed. */
export interface CheckpointFileChange {
  path: string;
  status: 'added' | 'modified' | 'deleted';
  added: number;
  removed: number;
  binary?: boolean;
}

function totals(files: readonly CheckpointFileChange[]): CheckpointStats {
  return {
    files: files.length,
    added: files.reduce((n, f) => n + f.added, 0),
    removed: files.reduce((n, f) => n + f.removed, 0),
  };
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

async function lockFilesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries)
    if (e.isFile() && e.name.endsWith('.lock')) found.push(path.join(e.parentPath, e.name));
  return found;
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile()) continue;
    total += (await stat(path.join(e.parentPath, e.name)).catch(() => undefined))?.size ?? 0;
  }
  return total;
}
