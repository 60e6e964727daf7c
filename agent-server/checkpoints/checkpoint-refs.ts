import { randomBytes } from 'node:crypto';
import type { ShadowGit } from './shadow-git.js';
import type { SkippedFile } from './snapshot.js';
import { writeCommit, writeRef } from './shadow-objects.js';

/**
 * How checkpoints are kept in the shadow repository: each is a commit of the tree before it
 * (`refs/cairn/before/<id>`, its metadata as JSON in the message) and, once its turn or restore
 * has ended, a commit of the tree after (`refs/cairn/after/<id>`). Commits and refs are written
 * atomically (shadow-objects.ts), so a crash leaves either the old or the new ref, never half of one. Commits have no
 * parents: deleting a checkpoint's refs frees what only it used.
 */

export type CheckpointKind = 'turn' | 'restore';

export interface CheckpointStats {
  files: number;
  added: number;
  removed: number;
}

export interface CheckpointInfo {
  id: string;
  kind: CheckpointKind;
  createdAt: Date;
  /** The prompt's first line (turn), or what was restored (restore). */
  label: string;
  sessionId?: string;
  /** For a restore: the checkpoint whose files were put back. */
  restoredTo?: string;
  /** For a turn: the 0-based index of the user prompt that started it, among the session's prompts. */
  userMessage?: number;
  /** The workspace's files before. */
  tree: string;
  /** …and after its turn or restore ended; undefined while it runs (or when it never ended). */
  afterTree?: string;
  /** What the turn or restore changed (before → after). */
  stats?: CheckpointStats;
  /** Files left out for their size. */
  skipped: SkippedFile[];
}

interface BeforeMeta {
  v: 1;
  kind: CheckpointKind;
  createdAt: string;
  label: string;
  sessionId?: string;
  restoredTo?: string;
  userMessage?: number;
  skipped: SkippedFile[];
}

const BEFORE = 'refs/cairn/before/';
const AFTER = 'refs/cairn/after/';
/** ids are also typed by hand (`cairn checkpoints restore ID`). */
export const CHECKPOINT_ID = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

export function newCheckpointId(now: Date): string {
  const iso = now.toISOString(); // 2025-01-31T12:34:56.789Z
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${randomBytes(2).toString('hex')}`;
}

export async function writeBefore(
  git: ShadowGit,
  info: Omit<CheckpointInfo, 'afterTree' | 'stats'>,
): Promise<void> {
  const meta: BeforeMeta = {
    v: 1,
    kind: info.kind,
    createdAt: info.createdAt.toISOString(),
    label: info.label,
    skipped: info.skipped,
    ...(info.sessionId ? { sessionId: info.sessionId } : {}),
    ...(info.restoredTo ? { restoredTo: info.restoredTo } : {}),
    ...(info.userMessage !== undefined ? { userMessage: info.userMessage } : {}),
  };
  const commit = await writeCommit(git.gitDir, info.tree, JSON.stringify(meta), info.createdAt);
  // Never overwrite an existing checkpoint.
  await writeRef(git.gitDir, `${BEFORE}${info.id}`, commit, { create: true });
}

/** Records checkpoint `id`'s "after" tree; `stats` when known (else a listing works them out). */
export async function writeAfter(
  git: ShadowGit,
  id: string,
  tree: string,
  stats?: CheckpointStats,
): Promise<void> {
  const commit = await writeCommit(
    git.gitDir,
    tree,
    JSON.stringify({ v: 1, ...(stats ? { stats } : {}) }),
    new Date(),
  );
  await writeRef(git.gitDir, `${AFTER}${id}`, commit);
}

export async function deleteCheckpoints(git: ShadowGit, ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  const lines = ids.flatMap((id) => [`delete ${BEFORE}${id}`, `delete ${AFTER}${id}`]);
  await git.run(['update-ref', '--stdin'], { input: lines.join('\n') + '\n' });
}

/** Every checkpoint, newest first. */
export async function readCheckpoints(git: ShadowGit): Promise<CheckpointInfo[]> {
  const out = await git.text([
    'for-each-ref',
    '--format=%(refname)%00%(tree)%00%(contents:subject)',
    'refs/cairn/',
  ]);
  const before = new Map<string, CheckpointInfo>();
  const after = new Map<string, { tree: string; stats?: CheckpointStats }>();
  for (const line of out.split('\n')) {
    const [ref, tree, subject] = line.split('\0');
    if (!ref || !tree || subject === undefined) continue;
    let meta: unknown;
    try {
      meta = JSON.parse(subject);
    } catch {
      continue; // not one of ours
    }
    if (ref.startsWith(AFTER)) {
      const stats = (meta as { stats?: CheckpointStats }).stats;
      after.set(ref.slice(AFTER.length), { tree, ...(stats ? { stats } : {}) });
    } else if (ref.startsWith(BEFORE)) {
      const m = meta as Partial<BeforeMeta>;
      const id = ref.slice(BEFORE.length);
      if (m.v !== 1 || !m.createdAt || !m.kind) continue;
      before.set(id, {
        id,
        kind: m.kind,
        createdAt: new Date(m.createdAt),
        label: m.label ?? '',
        tree,
        skipped: m.skipped ?? [],
        ...(m.sessionId ? { sessionId: m.sessionId } : {}),
        ...(m.restoredTo ? { restoredTo: m.restoredTo } : {}),
        ...(typeof m.userMessage === 'number' ? { userMessage: m.userMessage } : {}),
      });
    }
  }
  for (const [id, a] of after) {
    const info = before.get(id);
    if (info) Object.assign(info, { afterTree: a.tree, ...(a.stats ? { stats: a.stats } : {}) });
  }
  return [...before.values()].sort(
    (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id),
  );
}
