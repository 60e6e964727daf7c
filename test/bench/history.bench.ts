/**
 * History at a year's scale (issue 20): generated histories of 100,000 messages and, with
 * CAIRN_BENCH_HISTORY_1M=1, a million (generating it and building its index first takes
 * several minutes on a 2-core machine; both are cached under /var/tmp). Each figure is printed
 * next to what the single-database index measured before the sharded one (`today_*`, measured
 * at 100k on this machine; the old index could not hold 1M in memory). `too_many_flagged` counts
 * the queries matching more than the newest matches a search ranks (CANDIDATES in
 * index-shard.ts: 1,000, so the 30 common words are flagged; at 5,000, 2 of 180 were).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtemp, readdir, rm, stat, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { JournalHistoryStore } from '../../agent-server/history/index.js';
import { historyFixture, messageText, prng, type Fixture } from './history-fixture.js';
import { median, percentile } from './stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const child = path.join(root, 'test/unit/history/fixtures/history-child.ts');
const run = promisify(execFile);

/** The single in-memory database (before shards), 100k messages, this machine. */
const TODAY_100K = {
  rss_mb: 221,
  search_p95_ms: 30.7,
  common_p95_ms: 76.7,
  ready_ms: 446,
  append_ms: 0.73,
  rebuild_ms: 15_747,
  disk_ratio: 3.01,
};

type Report = (name: string, figures: Record<string, number | string>) => void;

export async function bench(report: Report): Promise<void> {
  const sizes = [100_000];
  if (process.env.CAIRN_BENCH_HISTORY_1M === '1') sizes.push(1_000_000);
  else report('history: 1M messages', { skipped: 'set CAIRN_BENCH_HISTORY_1M=1 (first run ~10+ min)' });
  for (const messages of sizes) {
    const t = performance.now();
    const fixture = await historyFixture(messages, messages >= 1_000_000 ? 365 : 120);
    // The first run builds the index into the cache (a full rebuild, timed again below).
    await runChild(['load', fixture.dir, '[]']);
    const label = messages >= 1_000_000 ? '1M' : '100k';
    report(`history ${label}: fixture`, { ready_in_s: round((performance.now() - t) / 1000), messages });
    await benchOne(fixture, label, report);
  }
}

async function benchOne(f: Fixture, label: string, report: Report): Promise<void> {
  const today = label === '100k' ? TODAY_100K : undefined;
  const t = (k: keyof typeof TODAY_100K) => (today ? today[k] : 'n/a');
  // Topic queries (one to three distinctive words) and common words (match up to half of all messages).
  const qrand = prng(7);
  const topic = Array.from({ length: 150 }, (_, i) =>
    Array.from(
      { length: 1 + (i % 3) },
      () => f.words[100 + Math.floor(qrand() * (f.words.length - 100))],
    ).join(' '),
  );
  const common = Array.from({ length: 30 }, (_, i) => f.words[i % 100]!);
  const work = await copyOf(f);
  try {
    const load = JSON.parse(
      await runChild(['load', work.dir, JSON.stringify([...topic, ...common]), f.currentProject]),
    ) as { ready: number; times: number[]; rss: number; tooMany: number };
    const mixed = [...load.times].sort((a, b) => a - b);
    const commonTimes = load.times.slice(topic.length).sort((a, b) => a - b);
    report(`history ${label}: search`, {
      ready_ms: round(load.ready),
      today_ready_ms: t('ready_ms'),
      mixed_p50_ms: round(percentile(mixed, 50)),
      mixed_p95_ms: round(percentile(mixed, 95)),
      today_topic_p95_ms: t('search_p95_ms'),
      common_p95_ms: round(percentile(commonTimes, 95)),
      today_common_p95_ms: t('common_p95_ms'),
      too_many_flagged: `${load.tooMany}/${load.times.length}`,
      store_rss_mb: round(load.rss / 1e6),
    });

    const acp = await acpStart(work.home, 5);
    const empty = await mkdtemp(path.join(os.tmpdir(), 'cairn-bench-empty-'));
    const bare = await acpStart(empty, 5).finally(() => rm(empty, { recursive: true, force: true }));
    report(`history ${label}: cairn acp`, {
      rss_after_session_new_history_loaded_mb: round(acp.settledRss),
      today_rss_mb: t('rss_mb'),
      init_ms: round(acp.initialize),
      init_empty_home_ms: round(bare.initialize),
      session_new_ms: round(acp.sessionNew),
      session_new_empty_home_ms: round(bare.sessionNew),
    });

    const store = await JournalHistoryStore.open(work.dir);
    await store.whenSearchReady();
    await store.createSession({ id: 'append-bench', cwd: '/bench' });
    const rand = prng(9);
    let seq = performance.now();
    for (let i = 0; i < 100; i++)
      await store.append('append-bench', {
        type: 'message',
        message: { role: 'user', content: messageText(f.words, rand) },
      });
    const sequential = (performance.now() - seq) / 100;
    const count = 5000;
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next++ < count)
          await store.append('append-bench', {
            type: 'message',
            message: { role: 'assistant', content: messageText(f.words, rand) },
          });
      }),
    );
    const amortised = (performance.now() - start) / count;
    await store.close();
    report(`history ${label}: durable append`, {
      amortised_ms: round(amortised),
      today_amortised_ms: t('append_ms'),
      sequential_ms: round(sequential),
    });

    const journal = await folderBytes(path.join(f.dir, 'journal'));
    const index = await folderBytes(path.join(f.dir, 'index'));
    report(`history ${label}: disk`, {
      text_mb: round(f.textBytes / 1e6),
      journal_mb: round(journal / 1e6),
      index_mb: round(index / 1e6),
      ratio_to_text: round((journal + index) / f.textBytes),
      today_ratio: t('disk_ratio'),
    });

    await rm(path.join(work.dir, 'index'), { recursive: true, force: true });
    const rebuild = JSON.parse(await runChild(['rebuild', work.dir, topic[0]!])) as {
      ready: number;
      during: { at: number; hits: number; partial: boolean }[];
      rss: number;
    };
    const answered = rebuild.during.filter((d) => d.hits > 0);
    report(`history ${label}: full rebuild`, {
      rebuild_ms: round(rebuild.ready),
      today_rebuild_ms: t('rebuild_ms'),
      searches_during_rebuild: rebuild.during.length,
      answered_with_hits: answered.length,
      first_hits_at_ms: answered[0] ? round(answered[0].at) : 'none',
      rss_mb: round(rebuild.rss / 1e6),
    });
  } finally {
    await rm(work.home, { recursive: true, force: true });
  }
}

/** A copy of the fixture to work on: journal files hard-linked (never rewritten in place here), index copied. */
async function copyOf(f: Fixture): Promise<{ home: string; dir: string }> {
  const home = await mkdtemp(path.join('/var/tmp', 'cairn-bench-work-'));
  await run('cp', ['-al', f.dir, path.join(home, 'history')]);
  await rm(path.join(home, 'history', 'index'), { recursive: true, force: true });
  await run('cp', ['-r', path.join(f.dir, 'index'), path.join(home, 'history', 'index')]);
  return { home, dir: path.join(home, 'history') };
}

async function runChild(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', child, ...args], {
    cwd: root,
    maxBuffer: 64 << 20,
  });
  return stdout.trim().split('\n').at(-1)!;
}

/** `cairn acp`: spawn → initialize, → session/new (medians), and RSS once the history index has loaded. */
async function acpStart(home: string, runs: number) {
  const cairn = path.join(root, 'dist/cairn.js');
  if (!existsSync(cairn)) throw new Error('dist/cairn.js not built (npm run bench builds it)');
  const results: { initialize: number; sessionNew: number; settledRss: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const proc = spawn(process.execPath, [cairn, 'acp'], {
      env: { ...process.env, CAIRN_HOME: home, HOME: home, OPENAI_API_KEY: '' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const times: number[] = [];
    let buf = '';
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl;
        while ((nl = buf.indexOf('\n')) !== -1) {
          const msg = JSON.parse(buf.slice(0, nl)) as { id?: number };
          buf = buf.slice(nl + 1);
          if (msg.id === 1) {
            times.push(performance.now() - t0);
            proc.stdin.write(
              JSON.stringify({
                jsonrpc: '2.0',
                id: 2,
                method: 'session/new',
                params: { cwd: home, mcpServers: [] },
              }) + '\n',
            );
          } else if (msg.id === 2) {
            times.push(performance.now() - t0);
            resolve();
          }
        }
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
    // The index loads when history is first read: list the sessions (as an editor's history
    // view does), then let the session's own background work settle.
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('"id":3')) resolve();
      });
      proc.on('exit', (code) => reject(new Error(`cairn acp exited with ${code}`)));
      proc.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'session/list', params: {} }) + '\n');
    });
    await new Promise((r) => setTimeout(r, 2000));
    const status = await readFile(`/proc/${proc.pid}/status`, 'utf8').catch(() => '');
    results.push({
      initialize: times[0]!,
      sessionNew: times[1]!,
      settledRss: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024,
    });
    proc.removeAllListeners('exit');
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill();
    await exited;
  }
  return {
    initialize: median(results.map((r) => r.initialize)),
    sessionNew: median(results.map((r) => r.sessionNew)),
    settledRss: median(results.map((r) => r.settledRss)),
  };
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir).catch(() => [] as string[]))
    total += (await stat(path.join(dir, name))).size;
  return total;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
