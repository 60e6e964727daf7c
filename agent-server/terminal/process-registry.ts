import { guardProcessGroup, releaseProcessGroup } from './orphan-guard.js';

/**
 * Every process group Cairn started and has not yet reaped, across all sessions, so the CLI
 * can kill them all when the server exits (SIGTERM/SIGINT/stdin close), and the orphan guard
 * when it dies without a chance to (SIGKILL, a crash): no orphans.
 */
const liveGroups = new Set<number>();

export function trackProcessGroup(pgid: number): void {
  liveGroups.add(pgid);
  guardProcessGroup(pgid);
}

export function untrackProcessGroup(pgid: number): void {
  if (liveGroups.delete(pgid)) releaseProcessGroup(pgid);
}

/** Sends a signal to a whole process group; false when it no longer exists. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/**
 * Synchronous on purpose: it runs from exit handlers, where nothing asynchronous completes.
 * SIGKILL, because a server that is going away cannot wait for polite shutdowns.
 */
export function killAllOnExit(): void {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  liveGroups.clear();
}

/** How many groups are tracked (for diagnostics and tests). */
export function liveProcessGroupCount(): number {
  return liveGroups.size;
}
