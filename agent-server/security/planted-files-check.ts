import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  currentStamp,
  plantedFiles,
  snapshotCodeRunningFiles,
  type CodeRunningSnapshot,
  type PlantedFile,
  type SnapshotLimits,
} from './code-running-snapshot.js';
import { errorMessage } from '../../shared/error-message.js';

/**
 * The check around one command: a snapshot of the code-running files before it runs, another
 * after, and a warning for every one it created or changed — the files that would run code
 * outside the sandbox later (git hooks, `.vscode/tasks.json`, `.envrc`, …), which the sandbox
 * cannot mount read-only before they exist.
 *
 * Created files are moved aside (`<file>.cairn-quarantine`) when the command ran without a
 * person approving it (auto mode, or a remembered "always"): an injected model must not leave
 * code that runs the next time the user opens the folder, and a renamed file runs nowhere. The
 * warning says how to put it back. A command the user approved keeps what it made (they may
 * have asked for `husky init`), with the warning. A file that existed before is only reported:
 * moving it would lose the user's own version.
 */

export const QUARANTINE_SUFFIX = '.cairn-quarantine';

export interface PlantedFinding extends PlantedFile {
  /** Shown path (relative to its root). */
  shown: string;
  /** Where it was moved, when it was. */
  quarantinedTo?: string;
  /** Why it could not be moved (it is still in place). */
  quarantineFailed?: string;
}

export interface PlantedFilesReport {
  findings: PlantedFinding[];
  /** The command created more folders than the check reads: something may have been missed. */
  incomplete: boolean;
  /** One warning per file, for the user (empty when nothing was found). */
  warnings: string[];
}

export interface PlantedFilesCheck {
  finish(options: { quarantine: boolean }): PlantedFilesReport;
}

/** Takes the "before" snapshot now; `finish` takes the "after" one and reports the difference. */
export function startPlantedFilesCheck(
  roots: readonly string[],
  options: { userHome?: string; limits?: SnapshotLimits } = {},
): PlantedFilesCheck {
  const before = snapshotCodeRunningFiles(roots, options);
  return {
    finish: ({ quarantine }) => {
      const after = snapshotCodeRunningFiles(roots, { ...options, previous: before });
      return reportPlanted(before, after, roots, quarantine);
    },
  };
}

function isInsideReal(child: string, root: string): boolean {
  let real = root;
  try {
    real = fs.realpathSync.native(root);
  } catch {
    return false;
  }
  const rel = path.relative(real, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function shownPath(p: string, roots: readonly string[]): string {
  for (const root of roots) {
    let real = root;
    try {
      real = fs.realpathSync.native(root);
    } catch {
      // a root that is gone: shown absolute
    }
    const rel = path.relative(real, p);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel;
  }
  return p;
}

export function reportPlanted(
  before: CodeRunningSnapshot,
  after: CodeRunningSnapshot,
  roots: readonly string[],
  quarantine: boolean,
): PlantedFilesReport {
  const findings: PlantedFinding[] = plantedFiles(before, after).map((f) => ({
    ...f,
    shown: shownPath(f.path, roots),
  }));
  if (quarantine) {
    for (const f of findings) if (f.change === 'created') moveAside(f, roots);
  }
  const incomplete = after.incomplete && !before.incomplete;
  const warnings = findings.map(warningFor);
  if (incomplete)
    warnings.push(
      '⚠ This command created more folders than Cairn checks for files that run code outside the sandbox (git hooks, .vscode, .envrc, …); review new files before you open the folder in an editor, enter it in a shell, or use git there.',
    );
  return { findings, incomplete, warnings };
}

function quote(p: string): string {
  return `'${p.replace(/'/g, `'\\''`)}'`;
}

function warningFor(f: PlantedFinding): string {
  const what = f.added ? ` (added ${f.added.join(', ')})` : '';
  const head = `⚠ This command ${f.change} ${f.shown}${what}, which runs code outside the sandbox ${f.runsWhen}.`;
  if (f.quarantinedTo) {
    const moved = path.join(path.dirname(f.shown), path.basename(f.quarantinedTo));
    return (
      `${head} This command ran without asking you, so Cairn moved it aside to ${moved}, where it runs nowhere. ` +
      `Review it; only if you trust it, restore it with: mv ${quote(f.quarantinedTo)} ${quote(f.path)}`
    );
  }
  const failed = f.quarantineFailed ? ` Cairn could not move it aside (${f.quarantineFailed}).` : '';
  return `${head}${failed} Review it, or delete it, before that happens.`;
}

/**
 * Renames a created file to `<file>.cairn-quarantine` (a link is renamed, not followed). Checked
 * again right before: still the file the snapshot saw, in a folder reached through no link (a
 * command left running could swap a parent for a link to elsewhere).
 */
function moveAside(f: PlantedFinding, roots: readonly string[]): void {
  const dir = path.dirname(f.path);
  let realDir: string;
  try {
    realDir = fs.realpathSync.native(dir);
  } catch {
    f.quarantineFailed = 'its folder is gone';
    return;
  }
  if (realDir !== dir || !roots.some((r) => isInsideReal(realDir, r))) {
    f.quarantineFailed = 'its folder is reached through a link';
    return;
  }
  if (currentStamp(f.path) !== f.stamp) {
    f.quarantineFailed = 'it changed again while being checked';
    return;
  }
  for (let n = 1; n <= 100; n++) {
    const target = `${f.path}${QUARANTINE_SUFFIX}${n === 1 ? '' : `-${n}`}`;
    if (currentStamp(target) !== undefined) continue;
    try {
      fs.renameSync(f.path, target);
      f.quarantinedTo = target;
    } catch (err) {
      f.quarantineFailed = (err as NodeJS.ErrnoException).code ?? errorMessage(err);
    }
    return;
  }
  f.quarantineFailed = 'too many quarantined copies already';
}
