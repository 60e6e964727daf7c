/**
 * Cost of the planted-files check the terminal tool runs around every command (a snapshot of
 * the files that run code outside the sandbox before, another after, and the diff): on this
 * checkout and on a synthetic monorepo (40 packages, deep sources, a big node_modules).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { snapshotCodeRunningFiles } from '../../agent-server/security/code-running-snapshot.js';
import { startPlantedFilesCheck } from '../../agent-server/security/planted-files-check.js';

const RUNS = Number(process.env.CAIRN_BENCH_PLANTED_RUNS ?? 40);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function monorepo(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-planted-'));
  execFileSync('git', ['init', '-q'], { cwd: root });
  for (let p = 0; p < 40; p++) {
    for (const sub of ['src/a/b/c', 'src/d/e', 'test/unit', 'docs']) {
      const dir = path.join(root, 'packages', `pkg${p}`, sub);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'index.ts'), 'export {};\n');
    }
  }
  for (let m = 0; m < 3000; m++)
    fs.mkdirSync(path.join(root, 'node_modules', `m${m}`, 'lib'), { recursive: true });
  fs.mkdirSync(path.join(root, '.vscode'));
  fs.writeFileSync(path.join(root, '.vscode', 'settings.json'), '{}');
  return root;
}

export async function bench(
  report: (name: string, figures: Record<string, number | string>) => void,
): Promise<void> {
  const checkout = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const synthetic = monorepo();
  try {
    for (const [label, root] of [
      ['this checkout', checkout],
      ['monorepo (40 packages, 3000 node_modules)', synthetic],
    ] as const) {
      const once = () => startPlantedFilesCheck([root]).finish({ quarantine: false });
      once(); // warm-up
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const start = performance.now();
        once();
        times.push(performance.now() - start);
      }
      const snap = snapshotCodeRunningFiles([root]);
      report(`planted files: before+after, ${label}`, {
        median_ms: Math.round(median(times) * 100) / 100,
        folders_read: snap.folders.size,
        files_watched: snap.files.size,
        runs: RUNS,
      });
    }
  } finally {
    fs.rmSync(synthetic, { recursive: true, force: true });
  }
}

// Runnable alone: `node --import tsx test/bench/planted-files.bench.ts`
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bench((name, figures) => console.log(name, JSON.stringify(figures)));
}
