import { spawn } from 'node:child_process';
import type { CommandResult, CommandSpec } from './backend.js';
import { BoundedOutput } from './output-buffer.js';
import { signalProcessGroup, trackProcessGroup, untrackProcessGroup } from './process-registry.js';

/** Time a process group gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2000;
/** After the main process exits, how long its pipes may stay open (held by a stray child). */
const PIPE_CLOSE_GRACE_MS = 1000;

export interface SpawnPlan {
  /** Program and arguments, e.g. ['/bin/sh', '-c', command] or ['bwrap', ..., command]. */
  argv: readonly string[];
  /** Where the spawned program starts (the sandbox sets its own cwd inside). */
  cwd: string;
  env: Record<string, string>;
}

/**
 * Runs one command as the leader of its own process group and waits for it. Timeouts,
 * cancellation and the end of the command all kill the whole group, so nothing it started
 * outlives it. Shared by the local, sandbox and ssh backends.
 */
export function runSpawned(plan: SpawnPlan, spec: CommandSpec): Promise<CommandResult> {
  return new Promise<CommandResult>((resolve) => {
    const output = new BoundedOutput();
    let timedOut = false;
    let cancelled = spec.signal.aborted;
    if (cancelled) {
      resolve({ exitCode: null, output: '', timedOut: false, cancelled: true });
      return;
    }

    const child = spawn(plan.argv[0]!, plan.argv.slice(1), {
      cwd: plan.cwd,
      env: plan.env,
      detached: true, // own process group: lets us kill the whole tree with kill(-pgid)
      stdio: [spec.interactive ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const pgid = child.pid;
    if (pgid !== undefined) trackProcessGroup(pgid);

    let killTimer: NodeJS.Timeout | undefined;
    const stopGroup = (): void => {
      if (pgid === undefined) return;
      if (!signalProcessGroup(pgid, 'SIGTERM')) return;
      killTimer ??= setTimeout(() => signalProcessGroup(pgid, 'SIGKILL'), KILL_GRACE_MS);
    };

    const onData = (chunk: string): void => {
      output.append(chunk);
      spec.onOutput?.(chunk);
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.stderr!.setEncoding('utf8').on('data', onData);

    const timeout =
      spec.timeoutMs > 0 && Number.isFinite(spec.timeoutMs)
        ? setTimeout(() => {
            timedOut = true;
            stopGroup();
          }, spec.timeoutMs)
        : undefined;
    const onAbort = (): void => {
      cancelled = true;
      stopGroup();
      // Cancel is reported now; the kill (SIGKILL after the grace period for a command that
      // ignores SIGTERM) finishes on its own, and the group stays tracked until it is reaped.
      resolve(result());
    };
    spec.signal.addEventListener('abort', onAbort, { once: true });

    let spawnError: Error | undefined;
    child.on('error', (err) => {
      spawnError = err;
      // A program that never started emits no 'close' on some Node versions.
      if (pgid === undefined) finish();
    });

    child.on('spawn', () => {
      const stdin = child.stdin;
      spec.onStart?.({
        write: stdin
          ? (data: string) =>
              new Promise<void>((res, rej) => stdin.write(data, (err) => (err ? rej(err) : res())))
          : undefined,
      });
    });

    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timeout);
      clearTimeout(killTimer);
      spec.signal.removeEventListener('abort', onAbort);
      if (pgid !== undefined) {
        // Whatever the command left running in its group goes with it.
        signalProcessGroup(pgid, 'SIGKILL');
        untrackProcessGroup(pgid);
      }
      child.stdin?.destroy();
      resolve(result());
    };
    const result = (): CommandResult => {
      let text = output.text();
      if (spawnError) text += `${text ? '\n' : ''}Could not start the command: ${spawnError.message}`;
      return {
        exitCode: exit?.code ?? (spawnError ? 127 : null),
        signal: exit?.signal ?? undefined,
        output: text,
        timedOut,
        cancelled,
        outputTruncated: output.truncated,
      };
    };

    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // The command is over: whatever it left running in its group goes now (what they already
      // wrote stays readable in the pipe). Children that left the group (setsid) are cut off
      // after a grace period so they cannot keep us waiting for ever.
      if (pgid !== undefined) signalProcessGroup(pgid, 'SIGKILL');
      const grace = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, PIPE_CLOSE_GRACE_MS);
      child.once('close', () => clearTimeout(grace));
    });
    child.on('close', finish);
  });
}
