import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/**
 * Every entry under `dir` with its content and mode (files), target (links) or 'dir': two
 * snapshots that differ mean an attack changed the home. `skip` leaves out entries by name.
 */
export async function snapshot(
  dir: string,
  skip: (parent: string, name: string) => boolean = () => false,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      if (skip(d, e.name)) continue;
      const full = path.join(d, e.name);
      if (e.isSymbolicLink()) out.set(full, `link:${await fs.readlink(full)}`);
      else if (e.isDirectory()) {
        out.set(full, 'dir');
        await walk(full);
      } else out.set(full, `${(await fs.lstat(full)).mode}:${await fs.readFile(full, 'utf8')}`);
    }
  };
  await walk(dir);
  return out;
}

/**
 * Starts a real separate process that swaps `folder` between the real folder and a symlink to
 * `target` as fast as it can, holding each state a random few hundred microseconds.
 */
export function startFlipper(folder: string, target: string) {
  const script = `
    const fs = require('fs');
    const [folder, target] = process.argv.slice(1);
    const parked = folder + '.parked';
    let flips = 0, stop = false;
    process.on('SIGTERM', () => (stop = true));
    const hold = () => { const end = process.hrtime.bigint() + BigInt(Math.floor(Math.random() * 400000)); while (process.hrtime.bigint() < end); };
    const step = () => {
      for (let i = 0; i < 200 && !stop; i++) {
        try { fs.renameSync(folder, parked); fs.symlinkSync(target, folder); flips++; hold();
              fs.unlinkSync(folder); fs.renameSync(parked, folder); hold(); } catch {}
      }
      if (stop) { try { fs.unlinkSync(folder); } catch {} try { fs.renameSync(parked, folder); } catch {}
                  process.stdout.write(String(flips)); process.exit(0); }
      setImmediate(step);
    };
    step();`;
  const child = spawn(process.execPath, ['-e', script, folder, target], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    /** Stops the flipper, waits for it to restore the folder, and returns how many times it flipped. */
    stop: async (): Promise<number> => {
      child.kill('SIGTERM');
      await exited;
      return Number(out);
    },
  };
}
