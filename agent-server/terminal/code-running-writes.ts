import * as path from 'node:path';
import { matchComponents } from '../security/code-running-paths.js';

/**
 * The command classifier's view of files that run code later, outside the sandbox (git hooks
 * and config, `.vscode`, `.envrc`, `.husky`, `*.code-workspace`, … — the list lives in
 * security/code-running-paths.ts): a command that visibly writes one asks, and says why. What a
 * command writes without saying so is caught after it runs (security/planted-files-check.ts).
 */

/** Why a path a command writes runs code later (undefined when it does not). */
export function runsCodeLater(p: string, workspace?: string): string | undefined {
  let rel = path.normalize(p);
  if (workspace && path.isAbsolute(rel)) {
    const inside = path.relative(path.normalize(workspace), rel);
    if (!inside.startsWith('..') && !path.isAbsolute(inside)) rel = inside;
  }
  return matchComponents(rel.split('/').filter((c) => c && c !== '.'));
}

/**
 * Whether the command line names such a path anywhere (a redirect, an argument, a string in
 * one-liner code). Used only for commands that already ask, so the prompt says plainly that
 * the command may plant code that runs outside the sandbox.
 */
export function namesCodeRunningPath(command: string, workspace?: string): string | undefined {
  for (const token of command.split(/[\s'"`;&|<>()=,+{}[\]]+/)) {
    if (!token) continue;
    const found = runsCodeLater(token, workspace);
    if (found) return found;
  }
  return undefined;
}
