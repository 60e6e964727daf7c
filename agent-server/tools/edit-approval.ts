import type { ToolContext, ToolResult } from './types.js';
import { deniedOutcome } from './denied-outcome.js';
import { editPermissionRequest } from './edit-permission.js';
import { errorMessage } from '../../shared/error-message.js';

const editing = new Map<string, Promise<unknown>>();

/**
 * Runs `edit` (read, ask, write) when no other edit of `absPath` in this process is running, so
 * a second edit of a file (a parallel subagent's) reads the first one's result instead of
 * overwriting it with a change prepared from the old text.
 */
export async function oneEditAtATime<T>(absPath: string, edit: () => Promise<T>): Promise<T> {
  const run = (editing.get(absPath) ?? Promise.resolve()).then(edit, edit);
  const tail = run.catch(() => undefined);
  editing.set(absPath, tail);
  try {
    return await run;
  } finally {
    if (editing.get(absPath) === tail) editing.delete(absPath);
  }
}

/**
 * Shows the proposed change as a diff, asks (per mode and remembered rules), writes it.
 * A rejected edit tells the model plainly that the file was not changed.
 */
export async function proposeFileChange(
  ctx: ToolContext,
  change: {
    toolName: string;
    absPath: string;
    oldText: string | undefined;
    newText: string;
    summary: string;
  },
): Promise<ToolResult> {
  const shown = ctx.workspace.paths.display(change.absPath);
  const diff = {
    type: 'diff' as const,
    path: change.absPath,
    oldText: change.oldText ?? null,
    newText: change.newText,
  };
  const decision = await ctx.permissions.request(
    editPermissionRequest(ctx, {
      toolName: change.toolName,
      absPath: change.absPath,
      creating: change.oldText === undefined,
      diff: [diff],
    }),
    ctx.signal,
  );
  if (!decision.allowed) {
    return {
      forModel: `${shown} was NOT changed: ${decision.message} Do not assume the edit exists.`,
      rawOutput: { applied: false },
      ...deniedOutcome(decision),
    };
  }
  try {
    await ctx.workspace.writeText(change.absPath, change.newText);
  } catch (err) {
    const why = errorMessage(err);
    return {
      forModel: `${shown} was NOT changed: ${why}`,
      rawOutput: { applied: false },
      outcome: 'failed',
      reason: why,
    };
  }
  return {
    forModel: change.summary,
    content: [diff],
    locations: [{ path: change.absPath }],
    rawOutput: { applied: true },
  };
}
