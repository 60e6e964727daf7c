import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/**
 * A lock file holding the owner's pid, created exclusively. A lock whose owner is gone (a
 * crash) is taken over. Used so only one scheduler runs, and a job never overlaps itself
 * across processes (`cairn jobs run` beside a scheduler).
 */
export class ProcessLock {
  private held = false;

  constructor(readonly file: string) {}

  /** True when this process now holds the lock; false when a live process does. */
  async acquire(): Promise<boolean> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await fs.open(this.file, 'wx', 0o600);
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        this.held = true;
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = await this.owner();
      if (owner !== undefined && isAlive(owner)) return false;
      // The owner died without releasing: remove its lock and try once more.
      await fs.rm(this.file, { force: true });
    }
    return false;
  }

  /** The pid written in the lock file, if any. */
  async owner(): Promise<number | undefined> {
    try {
      const pid = Number.parseInt(await fs.readFile(this.file, 'utf8'), 10);
      return Number.isFinite(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    await fs.rm(this.file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
