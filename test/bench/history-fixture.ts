/**
 * Generated histories for the history bench, written straight into the journal's on-disk
 * format (one JSON line per entry, segments of ~64 MB) and cached under /var/tmp between runs:
 * generating a million messages through the store would take most of an hour of fsyncs.
 */
import * as path from 'node:path';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';

export const PER_SESSION = 200;
export const PROJECTS = 7;
const SEGMENT_BYTES = 64 << 20;
/** A pid no process has (above Linux's pid_max): the segments' writer has exited. */
const DEAD_PID = 4194305;
const FORMAT = 'v1';

export interface Fixture {
  home: string;
  dir: string;
  messages: number;
  textBytes: number;
  words: string[];
  /** The project the newest sessions belong to. */
  currentProject: string;
}

/** Deterministic pseudo-random numbers, so every run searches the same history. */
export function prng(seed: number): () => number {
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
export function vocabulary(size: number, rand: () => number): string[] {
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
export function zipf(words: string[], rand: () => number): string {
  return words[Math.floor(words.length * Math.pow(rand(), 2.2))]!;
}

export function messageText(words: string[], rand: () => number): string {
  const n = 26 + Math.floor(rand() * 100); // ~600 bytes on average
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(zipf(words, rand));
  return out.join(' ');
}

/** The history of `messages` messages over `days` days, generated once and cached. */
export async function historyFixture(messages: number, days: number): Promise<Fixture> {
  const home = `/var/tmp/cairn-bench-history-${messages}-${FORMAT}`;
  const dir = path.join(home, 'history');
  const words = vocabulary(20_000, prng(42));
  const metaFile = path.join(home, 'fixture.json');
  const currentProject = `/work/project-${(Math.ceil(messages / PER_SESSION) - 1) % PROJECTS}`;
  if (existsSync(metaFile)) {
    const meta = JSON.parse(await readFile(metaFile, 'utf8')) as { textBytes: number };
    return { home, dir, messages, textBytes: meta.textBytes, words, currentProject };
  }
  await rm(home, { recursive: true, force: true });
  const journal = path.join(dir, 'journal');
  await mkdir(journal, { recursive: true });
  const rand = prng(43);
  const day = 86_400_000;
  const base = Date.now() - days * day;
  const sessions = Math.ceil(messages / PER_SESSION);
  const span = (days * day) / sessions;
  let textBytes = 0;
  let segmentNo = 0;
  let out: ReturnType<typeof createWriteStream> | undefined;
  let written = 0;
  const write = async (entry: object) => {
    if (!out || written >= SEGMENT_BYTES) {
      if (out) await new Promise<void>((r) => out!.end(r));
      const stamp = (base + segmentNo * 1000).toString(36).padStart(10, '0');
      out = createWriteStream(
        path.join(journal, `${stamp}-${DEAD_PID}-${String(segmentNo++).padStart(6, '0')}.jsonl`),
      );
      written = 0;
    }
    const line = JSON.stringify(entry) + '\n';
    written += Buffer.byteLength(line);
    if (!out.write(line)) await new Promise<void>((r) => out!.once('drain', () => r()));
  };
  for (let s = 0, n = 0; s < sessions; s++) {
    const createdAt = Math.floor(base + s * span);
    const id = `bench-${s}`;
    await write({
      op: 'session',
      session: {
        id,
        cwd: `/work/project-${s % PROJECTS}`,
        title: `${zipf(words, rand)} ${zipf(words, rand)}`,
        createdAt,
      },
      at: createdAt,
    });
    for (let k = 0; k < PER_SESSION && n < messages; k++, n++) {
      const content = messageText(words, rand);
      textBytes += Buffer.byteLength(content);
      const role = k % 2 ? 'assistant' : 'user';
      await write({
        op: 'record',
        sessionId: id,
        record: { type: 'message', message: { role, content }, at: createdAt + k * 1000 },
      });
    }
  }
  await new Promise<void>((r) => out!.end(r));
  await writeFile(metaFile, JSON.stringify({ textBytes, messages }));
  return { home, dir, messages, textBytes, words, currentProject };
}
