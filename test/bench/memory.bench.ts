/**
 * Content scanner and curated memory: scanner throughput and false-positive count on real
 * Markdown (the READMEs installed under node_modules), the cost of one locked, fsync'd memory
 * write, two processes writing at once, and loading a full memory snapshot for the prompt.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { neutralise } from '../../agent-server/security/content-scan.js';
import { MemoryStore } from '../../agent-server/memory/memory-store.js';
import { renderMemoryPromptSection } from '../../agent-server/memory/snapshot.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const child = path.join(root, 'test/unit/memory/fixtures/add-entries.ts');

async function readmes(limit: number): Promise<string[]> {
  const found: string[] = [];
  async function walk(dir: string, depth: number): Promise<void> {
    if (found.length >= limit || depth > 4) return;
    const names = (await readdir(dir).catch(() => [] as string[])).sort();
    for (const name of names) {
      const full = path.join(dir, name);
      if (/^readme\.md$/i.test(name)) {
        const s = await stat(full).catch(() => undefined);
        if (s?.isFile() && s.size < 200_000) found.push(full);
      } else if (!name.startsWith('.') && !name.includes('.')) {
        const s = await stat(full).catch(() => undefined);
        if (s?.isDirectory()) await walk(full, depth + 1);
      }
      if (found.length >= limit) return;
    }
  }
  await walk(path.join(root, 'node_modules'), 0);
  return Promise.all(found.map((f) => readFile(f, 'utf8')));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

function runChild(home: string, cwd: string, prefix: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, home, cwd, prefix, String(count)], {
      cwd: root,
      stdio: 'inherit',
    });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child exited ${code}`))));
  });
}

export async function bench(
  report: (name: string, figures: Record<string, number | string>) => void,
): Promise<void> {
  // Scanner over real documentation.
  const docs = await readmes(600);
  const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d), 0);
  let flaggedDocs = 0;
  const t0 = performance.now();
  for (const doc of docs) if (neutralise(doc, 'context').blocked.length) flaggedDocs++;
  const scanMs = performance.now() - t0;
  report('content scanner on node_modules READMEs', {
    documents: docs.length,
    megabytes: +(bytes / 1e6).toFixed(2),
    'MB/s': +(bytes / 1e6 / (scanMs / 1000)).toFixed(2),
    'flagged documents (false positives)': flaggedDocs,
  });
  const agentsMd = docs.slice(0, 40).join('\n\n').slice(0, 16_000);
  const runs = 50;
  const t1 = performance.now();
  for (let i = 0; i < runs; i++) neutralise(agentsMd, 'context');
  report('content scanner, one 16,000-char context file', {
    'ms per file': +((performance.now() - t1) / runs).toFixed(2),
  });

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'cairn-bench-memory-'));
  try {
    const home = path.join(tmp, 'home');
    const cwd = path.join(tmp, 'ws');
    const store = new MemoryStore(home, cwd, { memoryCharLimit: 1_000_000, userCharLimit: 2200 });
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await store.edit('global', 'memory', {
        action: 'add',
        content: `Bench note ${i}: the build uses make -j4.`,
      });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    report('memory add (lock, re-read, scan, atomic fsync write), 200 sequential', {
      'p50 ms': +percentile(times, 0.5).toFixed(2),
      'p95 ms': +percentile(times, 0.95).toFixed(2),
    });

    const t2 = performance.now();
    await Promise.all([runChild(home, cwd, 'a', 100), runChild(home, cwd, 'b', 100)]);
    const wall = performance.now() - t2;
    const snap = await store.snapshot();
    const project = snap.files.find((f) => f.scope === 'project' && f.target === 'memory')!;
    report('memory, 2 processes x 100 concurrent adds', {
      'wall ms (incl. process start)': Math.round(wall),
      'entries kept': project.entries.length,
    });

    const t3 = performance.now();
    const section = renderMemoryPromptSection(await store.snapshot());
    report('memory snapshot + prompt section (4 files)', {
      ms: +(performance.now() - t3).toFixed(2),
      'section chars': section.length,
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
