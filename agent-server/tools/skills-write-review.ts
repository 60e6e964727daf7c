import * as path from 'node:path';
import { ToolError, type ToolContext, type ToolResult } from './types.js';
import { deniedOutcome } from './denied-outcome.js';
import { WriteRejectedError } from '../workspace/workspace.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { AnchoredFiles } from '../workspace/anchored-files.js';
import { removeAnchored } from '../workspace/anchored-remove.js';
import { anchoredAt } from '../skills/skill-disk.js';

/** Project skills live in the repo (.cairn/skills); user skills in Cairn's home. */
export type Scope = 'project' | 'user';

export interface Change {
  scope: Scope;
  file: string;
  oldText: string | undefined;
  newText: string;
  title: string;
}

/** One reviewed write: the user sees the diff, then the file is written (or nothing happens). */
export async function applyChange(
  change: Change,
  ctx: ToolContext,
  rawInput: unknown,
): Promise<ToolResult | undefined> {
  const abs = change.scope === 'project' ? ctx.workspace.paths.resolve(change.file) : change.file;
  const outcome = await ctx.permissions.request(
    {
      toolCallId: ctx.toolCallId,
      toolName: 'skill_manage',
      category: 'edit',
      kind: 'edit',
      title: change.title,
      ruleKey: change.scope === 'project' ? 'edit' : 'skill:user',
      // A user skill reaches every project: ask in every mode unless answered "always".
      dangerous: change.scope === 'user',
      content: [{ type: 'diff', path: abs, oldText: change.oldText ?? null, newText: change.newText }],
      locations: [{ path: abs }],
      rawInput,
    },
    ctx.signal,
  );
  if (!outcome.allowed)
    return { forModel: `Skill not changed: ${outcome.message}`, ...deniedOutcome(outcome) };
  if (change.scope === 'project') {
    try {
      await ctx.workspace.writeText(abs, change.newText);
    } catch (err) {
      if (err instanceof WriteRejectedError)
        return {
          forModel: `Skill not changed: the user rejected the edit. ${err.message}`,
          outcome: 'rejected',
          reason: 'Rejected by the user',
        };
      throw err;
    }
  } else {
    await writeFileAtomic(abs, change.newText);
  }
  return undefined;
}

/**
 * One reviewed removal. The path is opened again after the answer, anchored (project: at the
 * workspace) and removed without following a link: `.cairn` swapped for a
 * link to the home while the user decided removes nothing there.
 */
export async function removeReviewed(
  scope: Scope,
  target: string,
  files: { path: string; text: string }[],
  title: string,
  ctx: ToolContext,
  rawInput: unknown,
): Promise<ToolResult | undefined> {
  const abs = scope === 'project' ? ctx.workspace.paths.resolve(target) : target;
  const outcome = await ctx.permissions.request(
    {
      toolCallId: ctx.toolCallId,
      toolName: 'skill_manage',
      category: 'edit',
      kind: 'delete',
      title,
      ruleKey: scope === 'project' ? 'edit' : 'skill:user',
      dangerous: scope === 'user',
      content: files.map((f) => ({ type: 'diff' as const, path: f.path, oldText: f.text, newText: '' })),
      locations: [{ path: abs }],
      rawInput,
    },
    ctx.signal,
  );
  if (!outcome.allowed)
    return { forModel: `Skill not changed: ${outcome.message}`, ...deniedOutcome(outcome) };
  const within =
    scope === 'project'
      ? new AnchoredFiles(ctx.workspace.paths.roots, ctx.workspace.paths.realRoots)
      : // Cairn's own folder (no repository reaches it), where a skill may be a link to the
        // user's dotfiles: links above the entry are followed, the entry itself is not.
        anchoredAt(path.dirname(abs));
  try {
    await removeAnchored(within, abs);
  } catch (err) {
    throw new ToolError(`The skill was not (fully) removed: ${(err as Error).message}`);
  }
  return undefined;
}
