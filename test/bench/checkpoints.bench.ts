/**
 * Checkpoints on a generated 10,000-file, 200 MB repository (made once under /var/tmp and reused):
 * the first checkpoint (every file hashed), a checkpoint where a few files changed (targets
 * ≤ 150 ms median: the index's stat cache answers for the rest), and restoring a turn that
 * touched 50 files (≤ 300 ms).
 */
import { appendFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyRestore, CheckpointStore, planRestore } from '../../agent-server/checkpoints/index.js';
import { median } from './stats.js';

const REPO = '/var/tmp/cairn-bench-checkpoints/repo-10k-200mb';
const FILES = 10_000;
const FILE_BYTES = 20_000;

async function generatedRepo(): Promise<string> {
  const done = path.join(REPO, '.generated');
  if (await stat(done).catch(() => undefined)) return REPO;
  await rm(REPO, { recursive: true, force: true });
  for (let i = 0; i < FILES; i++) {
    const dir = path.join(REPO, 'src', `pkg${Math.floor(i / 100)}`);
    if (i % 100 === 0) await mkdir(dir, { recursive: true });
    // Hex of random bytes: text, compressible about 2:1, like source in bulk.
    await writeFile(path.join(dir, `file${i}.txt`), randomBytes(FILE_BYTES / 2).toString('hex'));
  }
  await writeFile(path.join(REPO, '.gitignore'), 'node_modules/\n');
  await writeFile(done, '');
  return REPO;
}

/**
 * CPU time of this process and the git processes it waited for (Linux: cutime/cstime in
 * /proc/self/stat), in ms. On a loaded, shared machine wall time is mostly waiting for a core;
 * CPU time says what the work itself costs.
 */
function cpuMs(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    children = ((Number(fields[13]) + Number(fields[14])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    // no /proc: own CPU only
  }
  return (own.user + own.system) / 1000 + children;
}

const fileOf = (i: number) => path.join(REPO, 'src', `pkg${Math.floor(i / 100)}`, `file${i}.txt`);
const settings = { maxFileBytes: 10 * 1024 * 1024, keepDays: 14, keepBytes: 4 * 1024 ** 3, exclude: [] };

export async function bench(report: (name: string, figures: Record<string, number | string>) => void) {
  const ws = await generatedRepo();
  const home = await mkdtemp(path.join(os.tmpdir(), 'cairn-bench-cp-'));
  try {
    const store = await CheckpointStore.open(home, ws, settings);
    let t = performance.now();
    let c = cpuMs();
    const first = await store.create({ kind: 'turn', label: 'first' });
    report('first checkpoint (10k files, 200 MB)', {
      ms: Math.round(performance.now() - t),
      cpu_ms: Math.round(cpuMs() - c),
    });
    await store.finish(first.id);

    const few: number[] = [];
    const fewCpu: number[] = [];
    for (let round = 0; round < 9; round++) {
      for (let k = 0; k < 3; k++)
        await appendFile(fileOf((round * 37 + k * 1013) % FILES), `edit ${round}\n`);
      t = performance.now();
      c = cpuMs();
      await store.create({ kind: 'turn', label: `round ${round}` });
      few.push(performance.now() - t);
      fewCpu.push(cpuMs() - c);
    }
    report('checkpoint, 3 files changed', {
      median_ms: Math.round(median(few)),
      cpu_ms: Math.round(median(fewCpu)),
      target_ms: 150,
    });

    const restores: number[] = [];
    const restoreCpu: number[] = [];
    for (let round = 0; round < 5; round++) {
      const cp = await store.create({ kind: 'turn', label: `touch 50, round ${round}` });
      for (let k = 0; k < 50; k++)
        await appendFile(fileOf((round * 997 + k * 181) % FILES), `turn ${round}\n`);
      await store.finish(cp.id);
      t = performance.now();
      c = cpuMs();
      const result = await applyRestore(store, await planRestore(store, cp));
      restores.push(performance.now() - t);
      restoreCpu.push(cpuMs() - c);
      if (result.files.length !== 50 || result.failed.length)
        throw new Error(`restore touched ${result.files.length} files, ${result.failed.length} failed`);
    }
    report('restore of a turn that touched 50 files', {
      median_ms: Math.round(median(restores)),
      cpu_ms: Math.round(median(restoreCpu)),
      target_ms: 300,
      load1: os.loadavg()[0]!.toFixed(1),
    });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
