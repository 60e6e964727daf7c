import { createHash } from 'node:crypto';
import { readCheckpoints, type CheckpointInfo } from './checkpoint-refs.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { RestoreWriter, type EntryMode } from './restore-files.js';
import { recordPaths } from './snapshot.js';
import { diffTreePairs, pairKey, readBlobs, type TreeChange } from './tree-diff.js';

/** What a restore would do, shown (and asked about) before it runs. */
export interface RestorePlan {
  target: CheckpointInfo;
  /** The workspace's tree when planned. */
  currentTree: string;
  /** Files that would be written (`write`) or removed (`remove`). */
  changes: TreeChange[];
  /**
   * Files among those that someone changed after the target checkpoint, outside the turns that were
   * recorded (by hand, in the editor): they are not overwritten unless the caller says so.
   */
  handEdited: string[];
  /** Files left as they are because a side has them too large to be recorded. */
  tooLarge: string[];
}

/** One file the restore changed, with its text before and after where it is text (for diffs). */
export interface RestoredFile {
  path: string;
  action: 'written' | 'removed';
  before?: string;
  after?: string;
}

export interface RestoreResult {
  target: CheckpointInfo;
  /** The checkpoint of the files as they were before this restore: restoring it undoes the restore. */
  undo?: CheckpointInfo;
  files: RestoredFile[];
  /** Not touched on purpose: hand edits the caller chose to keep, or changed while the user was asked. */
  kept: string[];
  failed: { path: string; error: string }[];
}

/** Text shown in diffs is capped: larger or binary files are reported without their content. */
const DIFF_TEXT_LIMIT = 256 * 1024;

/** Plans putting the workspace's files back as they were at checkpoint `target`. */
export async function planRestore(store: CheckpointStore, target: CheckpointInfo): Promise<RestorePlan> {
  return store.locked(async () => {
    const [current, all] = await Promise.all([store.snapshotUnlocked(), readCheckpoints(store.git)]);
    const large = new Set([...target.skipped, ...current.skipped].map((s) => s.path));
    // Changes nobody recorded as the agent's, from the target on: between one recorded turn's end
    // and the next one's start, and since the last one ended. All diffs in one git run.
    const chain = all.filter((c) => c.createdAt.getTime() >= target.createdAt.getTime()).reverse();
    const gaps: [string, string][] = [];
    chain.forEach((c, i) => {
      if (c.afterTree) gaps.push([c.afterTree, chain[i + 1]?.tree ?? current.tree]); // unfinished (a crash): skipped
    });
    const diffs = await diffTreePairs(store.git, [[current.tree, target.tree], ...gaps]);
    const changes = (diffs.get(pairKey(current.tree, target.tree))?.changes ?? []).filter(
      (c) => !large.has(c.path),
    );
    const edited = new Set(
      gaps.flatMap(([a, b]) => (diffs.get(pairKey(a, b))?.changes ?? []).map((c) => c.path)),
    );
    return {
      target,
      currentTree: current.tree,
      changes,
      handEdited: changes.map((c) => c.path).filter((p) => edited.has(p)),
      tooLarge: [...large].sort(),
    };
  });
}

/**
 * Carries out `plan`: first records the files as they are (a `restore` checkpoint, so the restore
 * can itself be undone), then removes what the target did not have and writes back what it had,
 * each file atomically. Files in `keep` are left alone, and so is any file that changed since the
 * plan was made (someone edited it while the user was being asked).
 */
export async function applyRestore(
  store: CheckpointStore,
  plan: RestorePlan,
  opts: { keep?: readonly string[]; sessionId?: string; userMessage?: number } = {},
): Promise<RestoreResult> {
  return store.locked(async () => {
    const kept = new Set(opts.keep ?? []);
    const candidates = plan.changes.filter((c) => !kept.has(c.path));
    const writer = await RestoreWriter.create(store.workspace);
    // What is on disk now, checked in this process against what the plan saw (no git run), while
    // git reads the contents to restore.
    const [onDisk, blobs] = await Promise.all([
      Promise.all(candidates.map((c) => writer.readEntry(c.path).catch(() => 'unreadable' as const))),
      readBlobs(
        store.git,
        candidates.flatMap((c) => (c.toBlob ? [c.toBlob] : [])),
      ),
    ]);
    const moved: string[] = [];
    const before = new Map<string, Buffer>();
    candidates.forEach((c, i) => {
      const entry = onDisk[i];
      if (sameEntry(entry, c)) {
        if (typeof entry === 'object') before.set(c.path, entry.data);
      } else {
        moved.push(c.path);
        kept.add(c.path);
      }
    });
    const changes = candidates.filter((c) => !kept.has(c.path));
    const result: RestoreResult = { target: plan.target, files: [], kept: [...kept].sort(), failed: [] };
    if (!changes.length) return result;

    // The files as they are now: as planned, but for those changed since (recorded afresh).
    const now = moved.length
      ? await recordPaths(store.git, moved, store.settings.maxFileBytes)
      : { tree: plan.currentTree, skipped: [] };
    const undo = await store.createUnlocked(
      {
        kind: 'restore',
        label: `Restore to ${plan.target.id}`,
        restoredTo: plan.target.id,
        ...sessionOf(opts),
        ...(opts.userMessage !== undefined ? { userMessage: opts.userMessage } : {}),
      },
      now,
    );
    result.undo = undo;
    await store.markRestoreStarted(plan.target.id, undo.id);

    // Removals first (deepest first), so a folder can take a removed file's place and the reverse.
    // A file that only changes content, mode or kind (file/link) is replaced by rename, never removed.
    const removals = changes.filter((c) => !c.toBlob).sort((a, b) => b.path.length - a.path.length);
    for (const change of removals) {
      try {
        await writer.remove(change.path);
        await writer.removeEmptyFolders(change.path);
        result.files.push({
          path: change.path,
          action: 'removed',
          ...beforeText(textOf(before.get(change.path))),
        });
      } catch (err) {
        result.failed.push({ path: change.path, error: (err as Error).message });
      }
    }
    const writes = changes.filter((c) => c.toBlob && c.toMode);
    await inParallel(writes, WRITE_PARALLELISM, async (change) => {
      if (!change.toBlob || !change.toMode) return;
      const data = blobs.get(change.toBlob);
      try {
        if (!data) throw new Error(`the recorded content (${change.toBlob}) is missing from the checkpoint`);
        if (change.toMode === '120000') await writer.writeLink(change.path, data.toString('utf8'));
        else await writer.writeFile(change.path, data, change.toMode);
        const after = textOf(data);
        result.files.push({
          path: change.path,
          action: 'written',
          ...beforeText(textOf(before.get(change.path))),
          ...(after !== undefined ? { after } : {}),
        });
      } catch (err) {
        result.failed.push({ path: change.path, error: (err as Error).message });
      }
    });
    result.files.sort((a, b) => a.path.localeCompare(b.path));
    // Only the paths written or removed changed (anything else edited meanwhile is someone else's).
    const after = await recordPaths(
      store.git,
      changes.map((c) => c.path),
      store.settings.maxFileBytes,
    );
    await store.finishUnlocked(undo, after.tree, { withStats: false });
    await store.markRestoreEnded();
    return result;
  });
}

/** Whether the entry on disk is still what the plan saw (`from`: absent when the plan saw none). */
function sameEntry(
  entry: { mode: EntryMode; data: Buffer } | 'other' | 'unreadable' | undefined,
  change: TreeChange,
): boolean {
  // git records no entry for a folder (its files are entries of their own), a socket or a device.
  if (!change.fromBlob) return entry === undefined || entry === 'other';
  if (typeof entry !== 'object' || entry.mode !== change.fromMode) return false;
  return blobId(entry.data) === change.fromBlob;
}

/** git's id of a blob with this content. */
function blobId(data: Buffer): string {
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

/** Files written at once: each write waits on its own fsync, so a few in flight hide that wait. */
const WRITE_PARALLELISM = 8;

async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function sessionOf(opts: { sessionId?: string }): { sessionId?: string } {
  return opts.sessionId ? { sessionId: opts.sessionId } : {};
}

function beforeText(text: string | undefined): { before?: string } {
  return text === undefined ? {} : { before: text };
}

function textOf(data: Buffer | undefined): string | undefined {
  if (!data || data.length > DIFF_TEXT_LIMIT || data.includes(0)) return undefined;
  return data.toString('utf8');
}
