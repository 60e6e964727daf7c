/**
 * The client side of Cairn's checkpoint extension methods (`_cairn/checkpoints/*`): typed
 * requests, what a restore's result says to the user, and the preview kept for the diff editors.
 */
import { RequestError } from '@agentclientprotocol/sdk';
import type {
  CheckpointInfo,
  CheckpointPreviewFile,
  CheckpointRestoreResult,
} from '../shared/webview-protocol.js';

/** One file of a restore preview, with both sides for a diff editor. */
export type CheckpointFileContents = CheckpointPreviewFile & {
  /** The file as it is now (null: it does not exist). */
  current: string | null;
  /** The file as the restore leaves it (null: the restore removes it). */
  restored: string | null;
};

export type CheckpointList = { available: boolean; reason?: string; checkpoints: CheckpointInfo[] };

type Requester = { request<R>(method: string, params: unknown): Promise<R> };

type WirePreviewFile = {
  path: string;
  action: CheckpointPreviewFile['action'];
  current: string | null;
  restored: string | null;
  binary?: boolean;
  handEdited: boolean;
};

type WireRestoreResult = {
  restored: string[];
  kept: string[];
  undoCheckpointId?: string;
  forkSessionId?: string;
};

/** Whether an error says the agent has no such method (an older server, or another agent). */
export function isMethodNotFound(err: unknown): boolean {
  return err instanceof RequestError && err.code === -32601;
}

export async function listCheckpoints(agent: Requester, sessionId: string): Promise<CheckpointList> {
  const res = await agent.request<CheckpointList>('_cairn/checkpoints/list', { sessionId });
  return { ...res, checkpoints: Array.isArray(res?.checkpoints) ? res.checkpoints : [] };
}

export async function previewCheckpoint(
  agent: Requester,
  sessionId: string,
  checkpointId: string,
): Promise<CheckpointFileContents[]> {
  const res = await agent.request<{ files: WirePreviewFile[] }>('_cairn/checkpoints/preview', {
    sessionId,
    checkpointId,
  });
  return res.files.map((f) => ({
    path: f.path,
    action: f.action,
    binary: f.binary === true,
    handEdited: f.handEdited,
    current: f.current,
    restored: f.restored,
  }));
}

export async function restoreCheckpoint(
  agent: Requester,
  params: { sessionId: string; checkpointId: string; conversation: boolean },
): Promise<CheckpointRestoreResult> {
  const res = await agent.request<WireRestoreResult>('_cairn/checkpoints/restore', params);
  return { restored: res.restored, kept: res.kept, forkSessionId: res.forkSessionId ?? null };
}

/** The preview without the file contents (what the panel lists). */
export function previewSummary(files: readonly CheckpointFileContents[]): CheckpointPreviewFile[] {
  return files.map(({ path, action, binary, handEdited }) => ({ path, action, binary, handEdited }));
}

/** The restore's result as one line in the chat. */
export function restoreNotice(result: CheckpointRestoreResult, conversation: boolean): string {
  const files = (n: number) => (n === 1 ? '1 file' : `${n} files`);
  const parts = [`Restored ${files(result.restored.length)} from the checkpoint`];
  if (result.kept.length)
    parts.push(`kept ${files(result.kept.length)} as they are (${result.kept.join(', ')})`);
  let text = parts.join('; ') + '.';
  if (conversation && result.forkSessionId)
    text += ' The conversation continues in a fork from that message.';
  return text;
}

/** Keeps checkpoints sorted newest first and each id once (the list, then live notifications). */
export function mergeCheckpoint(list: readonly CheckpointInfo[], added: CheckpointInfo): CheckpointInfo[] {
  const others = list.filter((c) => c.id !== added.id);
  return [added, ...others].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
