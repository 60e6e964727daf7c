import * as path from 'node:path';
import type { TurnEvent } from '../core/events.js';
import type { ToolContent } from '../core/tool-content.js';
import {
  readBlobs,
  type CheckpointFileChange,
  type CheckpointInfo,
  type CheckpointStore,
  type RestorePlan,
  type RestoreResult,
} from '../checkpoints/index.js';

/**
 * Checkpoints as front ends see them (the `_cairn/checkpoints/*` requests, the `checkpoint`
 * session event) and a restore as tool calls with diffs (so an ACP client's review shows what it
 * changed). Shapes are the protocol's: keep them as they are.
 */

/** One checkpoint in a listing (1 = newest). */
export interface CheckpointListItem {
  id: string;
  number: number;
  createdAt: string;
  prompt: string;
  /** The 0-based index of the user prompt the checkpoint precedes (a conversation rewind forks there). */
  beforeUserMessage: number;
  files: Array<{ path: string; status: CheckpointFileChange['status']; added: number; removed: number }>;
}

export function listItem(
  info: CheckpointInfo,
  number: number,
  files: readonly CheckpointFileChange[],
): CheckpointListItem {
  return {
    id: info.id,
    number,
    createdAt: info.createdAt.toISOString(),
    prompt: info.label,
    beforeUserMessage: info.userMessage ?? -1,
    files: files.map((f) => ({ path: f.path, status: f.status, added: f.added, removed: f.removed })),
  };
}

/** What restoring one file would do, with both sides' text for a diff view. */
export interface PreviewFile {
  path: string;
  action: 'restore' | 'remove' | 'recreate';
  current: string | null;
  restored: string | null;
  binary?: boolean;
  handEdited: boolean;
}

/** Text shown in previews and diffs is capped: larger or binary files are named without content. */
const TEXT_LIMIT = 256 * 1024;

function textOf(data: Buffer | undefined): string | null {
  if (!data || data.length > TEXT_LIMIT || data.includes(0)) return null;
  return data.toString('utf8');
}

/** The plan's files with their text now and as they would be restored (one git run for the contents). */
export async function previewFiles(store: CheckpointStore, plan: RestorePlan): Promise<PreviewFile[]> {
  const blobs = await readBlobs(
    store.git,
    plan.changes.flatMap((c) => [c.fromBlob, c.toBlob]).filter((b): b is string => b !== undefined),
  );
  const edited = new Set(plan.handEdited);
  return plan.changes.map((c) => {
    const current = c.fromBlob ? blobs.get(c.fromBlob) : undefined;
    const restored = c.toBlob ? blobs.get(c.toBlob) : undefined;
    const binary = [current, restored].some((d) => d?.includes(0));
    return {
      path: c.path,
      action: !c.toBlob ? 'remove' : !c.fromBlob ? 'recreate' : 'restore',
      current: textOf(current),
      restored: textOf(restored),
      ...(binary ? { binary: true } : {}),
      handEdited: edited.has(c.path),
    };
  });
}

/**
 * A restore as tool calls of kind `edit`: one completed call with a diff per file it changed, and
 * one call for what it did not do, ended `rejected` (hand edits the user kept) or `failed`.
 */
type ToolCallEvent = Extract<TurnEvent, { type: 'tool_call' | 'tool_call_update' }>;

export function restoreToolEvents(result: RestoreResult, workspace: string, callId: string): ToolCallEvent[] {
  const abs = (rel: string) => path.join(workspace, rel);
  const events: ToolCallEvent[] = [];
  const call = (id: string, title: string, paths: readonly string[]) =>
    events.push({
      type: 'tool_call',
      toolCallId: id,
      toolName: 'restore_checkpoint',
      title,
      kind: 'edit',
      locations: paths.map((p) => ({ path: abs(p) })),
      rawInput: { checkpointId: result.target.id },
    });
  if (result.files.length) {
    const content: ToolContent[] = result.files.map((f) =>
      f.before === undefined && f.after === undefined
        ? {
            type: 'text',
            text: `${f.action === 'removed' ? 'Removed' : 'Restored'} ${f.path} (binary or large)`,
          }
        : { type: 'diff', path: abs(f.path), oldText: f.before ?? null, newText: f.after ?? '' },
    );
    call(
      callId,
      `Restore checkpoint ${result.target.id}: ${result.files.length} file(s)`,
      result.files.map((f) => f.path),
    );
    events.push({
      type: 'tool_call_update',
      toolCallId: callId,
      status: 'completed',
      content,
      outcome: 'completed',
    });
  }
  if (result.kept.length) {
    const id = `${callId}-kept`;
    call(id, `Kept ${result.kept.length} file(s) changed by hand (not restored)`, result.kept);
    events.push({
      type: 'tool_call_update',
      toolCallId: id,
      status: 'failed',
      content: [{ type: 'text', text: `Not restored, left as they are: ${result.kept.join(', ')}` }],
      outcome: 'rejected',
      reason: 'kept: changed by hand since the checkpoint',
    });
  }
  if (result.failed.length) {
    const id = `${callId}-failed`;
    call(
      id,
      `Could not restore ${result.failed.length} file(s)`,
      result.failed.map((f) => f.path),
    );
    events.push({
      type: 'tool_call_update',
      toolCallId: id,
      status: 'failed',
      content: result.failed.map((f) => ({ type: 'text', text: `${f.path}: ${f.error}` })),
      outcome: 'failed',
      reason: result.failed.map((f) => `${f.path}: ${f.error}`).join('; '),
    });
  }
  return events;
}
