import * as os from 'node:os';
import { startPlantedFilesCheck, type PlantedFilesCheck } from '../security/planted-files-check.js';
import type { BackgroundProcess } from '../terminal/background.js';

/**
 * The planted-files check (security/planted-files-check.ts) for commands started in the
 * background: a snapshot when the process starts, compared whenever the model next looks at
 * background processes (the process tool, or the next terminal command), then taken again while
 * it runs. What a server or watcher created in the meantime is reported then, and moved aside
 * when nobody approved the command that started it.
 */
interface Watch {
  check: PlantedFilesCheck;
  roots: readonly string[];
  quarantine: boolean;
}

const watches = new WeakMap<BackgroundProcess, Watch>();

export function watchBackgroundProcess(
  proc: BackgroundProcess,
  check: PlantedFilesCheck,
  roots: readonly string[],
  quarantine: boolean,
): void {
  watches.set(proc, { check, roots, quarantine });
}

/** Warnings for what these processes planted since last asked (each prefixed with its id). */
export function backgroundPlantedWarnings(procs: readonly BackgroundProcess[]): string[] {
  const out: string[] = [];
  for (const proc of procs) {
    const watch = watches.get(proc);
    if (!watch) continue;
    const report = watch.check.finish({ quarantine: watch.quarantine });
    for (const warning of report.warnings)
      out.push(
        warning.replace('This command', `Background process ${proc.id} (${proc.command.slice(0, 60)})`),
      );
    if (proc.status === 'running')
      watches.set(proc, { ...watch, check: startPlantedFilesCheck(watch.roots, { userHome: os.homedir() }) });
    else watches.delete(proc);
  }
  return out;
}
