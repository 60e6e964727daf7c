import type { PermissionRequest } from '../permissions/gate.js';
import { codeRunningPath, codeRunningTitle } from '../security/code-running-paths.js';
import type { ToolContext } from './types.js';

/**
 * The permission request for writing one file. A file that runs code outside the sandbox later
 * (a git hook, `.git/config`, `.vscode/tasks.json`, `.envrc` …) asks in every mode and says so
 * in the title; it is judged on the path resolved through symlinks, not only as written.
 */
export function editPermissionRequest(
  ctx: ToolContext,
  change: { toolName: string; absPath: string; creating: boolean; diff: PermissionRequest['content'] },
): PermissionRequest {
  const shown = ctx.workspace.paths.display(change.absPath);
  const verb = change.creating ? 'Create' : 'Edit';
  const planted = codeRunningPath(change.absPath, ctx.workspace.paths.roots);
  return {
    toolCallId: ctx.toolCallId,
    toolName: change.toolName,
    category: 'edit',
    kind: 'edit',
    title: planted ? codeRunningTitle(verb, shown, planted) : `${verb} ${shown}`,
    ruleKey: 'edit',
    ...(planted ? { runsOutsideSandbox: true } : {}),
    content: change.diff,
    locations: [{ path: change.absPath }],
  };
}
