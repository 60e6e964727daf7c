/**
 * History at scale: a generated 100,000-message history (~60 MB of text), then
 * durable append cost, time until search is ready, ranked search latency, RSS, and the
 * time from spawn to the `initialize` answer with and without that history present.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtemp, rm, stat, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { JournalHistoryStore } from '../../agent-server/history/index.js';

const MESSAGES = Number(process.env.CAIRN_BENCH_HISTORY_MESSAGES ?? 100_000);
const PER_SESSION = 200;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const child = path.join(root, 'test/unit/history/fixtures/history-child.ts');

/** Deterministic pseudo-random numbers, so every run searches the same history. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = 'ka lo mi ra te su no vi pa de zo ri fu ga be xi lu mo ne ta'.split(' ');
function vocabulary(size: number, rand: () => number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    let w = '';
    const n = 2 + Math.floor(rand() * 3);
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
    words.add(w);
  }
  return [...words];
}

/** Zipf-like pick: a few words are everywhere, most are rare, like real text. */
function zipf(words: string[], rand: () => number): string {
  return words[Math.floor(words.length * Math.pow(rand(), 2.2))]!;
}

function messageText(words: string[], rand: () => number): string {
  const n = 26 + Math.floor(rand() * 100); // ~600 bytes on average
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(zipf(words, rand));
  return out.join(' ');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(path.join(e.parentPath, e.name))).size;
  }
  return total;
}

function runChild(args: string[]): Promise<string> {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', child, ...args], {
    cwd: root,
    maxBuffer: 64 << 20,
  }).then((r) => r.stdout);
}

/** Spawn `node dist/cairn.js acp` and time until it answers `initialize`. */
async function timeToInitialize(home: string): Promise<number> {
  const start = performance.now();
  const proc = spawn(process.execPath, [path.join(root, 'dist/cairn.js'), 'acp'], {
    env: { ...process.env, CAIRN_HOME: home, OPENAI_API_KEY: '' },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      let buf = '';
      proc.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('"id":1')) resolve(performance.now() - start);
      });
      proc.on('exit', (code) => reject(new Error(`cairn acp exited with ${code}`)));
      proc.stdin.write(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: 1, clientCapabilities: {} },
        }) + '\n',
      );
    });
  } finally {
    proc.kill('SIGKILL');
  }
}

export async function bench(
  report: (name: string, figures: Record<string, number | string>) => void,
): Promise<void> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'cairn-bench-history-'));
  const dir = path.join(home, 'history');
  try {
    const rand = prng(42);
    const words = vocabulary(20_000, rand);

    // Sequential appends: one fsync each, the worst case for a single writer.
    const seq = await JournalHistoryStore.open(path.join(home, 'seq-history'));
    await seq.createSession({ id: 'seq', cwd: '/bench' });
    const seqCount = 300;
    let t = performance.now();
    for (let i = 0; i < seqCount; i++) {
      await seq.append('seq', {
        type: 'message',
        message: { role: 'user', content: messageText(words, rand) },
      });
    }
    const sequentialMs = (performance.now() - t) / seqCount;
    await seq.close();

    // The big history, written with 64 appends in flight so group commit batches the fsyncs.
    const store = await JournalHistoryStore.open(dir);
    const sessions = Math.ceil(MESSAGES / PER_SESSION);
    const day = 86_400_000;
    const base = Date.now() - 120 * day;
    let textBytes = 0;
    t = performance.now();
    let next = 0;
    for (let s = 0; s < sessions; s++) {
      await store.createSession({
        id: `bench-${s}`,
        cwd: `/work/project-${s % 7}`,
        title: `${zipf(words, rand)} ${zipf(words, rand)}`,
        createdAt: base + s * ((120 * day) / sessions),
      });
    }
    const writeOne = async () => {
      while (next < MESSAGES) {
        const n = next++;
        const s = Math.floor(n / PER_SESSION);
        const content = messageText(words, rand);
        textBytes += content.length;
        const at = base + s * ((120 * day) / sessions) + (n % PER_SESSION) * 1000;
        const role = n % 2 ? 'assistant' : 'user';
        await store.append(`bench-${s}`, {
          type: 'message',
          at,
          message: role === 'user' ? { role, content } : { role, content },
        });
      }
    };
    await Promise.all(Array.from({ length: 64 }, writeOne));
    const writeMs = performance.now() - t;
    await store.close();
    report('history: append (durable)', {
      'sequential ms/message': round(sequentialMs),
      'amortized ms/message (64 in flight)': round(writeMs / MESSAGES),
      messages: MESSAGES,
      'text MB': round(textBytes / 1e6),
      'on-disk MB (journal + index)': round((await dirBytes(dir)) / 1e6),
    });

    // Topic queries (what a model asks for: one to three distinctive words) and, apart,
    // single words from the 100 most common, which match up to half of all messages.
    const qrand = prng(7);
    const topic: string[] = [];
    for (let i = 0; i < 200; i++) {
      const terms: string[] = [];
      for (let k = 0; k <= i % 3; k++) terms.push(words[100 + Math.floor(qrand() * (words.length - 100))]!);
      topic.push(terms.join(' '));
    }
    const common = Array.from({ length: 40 }, (_, i) => words[i % 100]!);
    const load = JSON.parse(
      (await runChild(['load', dir, JSON.stringify([...topic, ...common])])).trim(),
    ) as {
      opened: number;
      ready: number;
      times: number[];
      hits: number;
      rss: number;
    };
    const topicTimes = load.times.slice(0, topic.length).sort((a, b) => a - b);
    const commonTimes = load.times.slice(topic.length).sort((a, b) => a - b);
    report('history: search', {
      'open ms': round(load.opened),
      'search ready ms': round(load.ready),
      'topic query p50 ms': round(percentile(topicTimes, 50)),
      'topic query p95 ms': round(percentile(topicTimes, 95)),
      'common-word query p50 ms': round(percentile(commonTimes, 50)),
      'common-word query p95 ms': round(percentile(commonTimes, 95)),
      'RSS MB (index loaded)': round(load.rss / 1e6),
    });

    // After a crash: the snapshot misses the last 5,000 messages, which are replayed from the journal.
    const crashed = await JournalHistoryStore.open(dir, { snapshotEveryBytes: Number.MAX_SAFE_INTEGER });
    await crashed.whenSearchReady();
    next = 0;
    const tail = 5_000;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < tail) {
          next++;
          await crashed.append('bench-0', {
            type: 'message',
            message: { role: 'user', content: messageText(words, rand) },
          });
        }
      }),
    );
    const withTail = JSON.parse(
      (await runChild(['load', dir, JSON.stringify(topic.slice(0, 20))])).trim(),
    ) as {
      ready: number;
    };
    // No snapshot at all (first start after an index format change, or a lost index file).
    await rm(path.join(dir, 'index.sqlite'));
    const rebuilt = JSON.parse(
      (await runChild(['load', dir, JSON.stringify(topic.slice(0, 20))])).trim(),
    ) as {
      ready: number;
    };
    await crashed.close();
    report('history: recovery', {
      'search ready ms (snapshot + 5,000-message tail)': round(withTail.ready),
      'search ready ms (no snapshot: full rebuild)': round(rebuilt.ready),
    });

    if (existsSync(path.join(root, 'dist/cairn.js'))) {
      const empty = await mkdtemp(path.join(os.tmpdir(), 'cairn-bench-empty-'));
      try {
        const withHistory = [] as number[];
        const without = [] as number[];
        for (let i = 0; i < 3; i++) {
          without.push(await timeToInitialize(empty));
          withHistory.push(await timeToInitialize(home));
        }
        report('history: spawn to initialize', {
          'empty home ms (best of 3)': round(Math.min(...without)),
          'with 100k-message history ms (best of 3)': round(Math.min(...withHistory)),
        });
      } finally {
        await rm(empty, { recursive: true, force: true });
      }
    } else {
      report('history: spawn to initialize', { skipped: 'dist/cairn.js not built' });
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
