import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { JournalHistoryStore } from '../../../agent-server/history/index.js';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/history-child.ts');
const ROUNDS = 20;

/**
 * Runs the appending child and kills it with SIGKILL after `kill.afterMs` from spawn, or once it
 * has acknowledged `kill.afterAcks` messages; returns the acknowledged numbers.
 */
function appendThenKill(
  dir: string,
  kill: { afterMs: number } | { afterAcks: number },
): Promise<{ acked: number[]; finished: boolean }> {
  return new Promise((resolve, reject) => {
    // A small snapshot interval, so kills also land while snapshots are being written.
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', child, 'append', dir, 'crash', '1000000', '8', '65536'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const acked: number[] = [];
    let buffered = '';
    let stderr = '';
    let finished = false;
    proc.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
        if ('afterAcks' in kill && acked.length === kill.afterAcks) proc.kill('SIGKILL');
        if (line === 'done') finished = true;
      }
    });
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = 'afterMs' in kill ? setTimeout(() => proc.kill('SIGKILL'), kill.afterMs) : undefined;
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve({ acked, finished });
    });
  });
}

/**
 * Every complete line of every segment, parsed independently of the store's reader. A kill
 * can land before the child created the journal folder (a slow start under load): then there
 * is nothing, and the caller still checks that nothing was acknowledged or stored.
 */
async function journalMessages(dir: string): Promise<string[]> {
  const out: string[] = [];
  const journal = path.join(dir, 'journal');
  let names: string[];
  try {
    names = await readdir(journal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw err;
  }
  for (const name of names.sort()) {
    const text = await readFile(path.join(journal, name), 'utf8');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    for (const line of complete.split('\n').filter(Boolean)) {
      const entry = JSON.parse(line) as { op: string; record?: { message?: { content: string } } };
      if (entry.op === 'record') out.push(entry.record!.message!.content);
    }
  }
  return out;
}

const numberOf = (content: string) => Number(/^message (\d+) /.exec(content)![1]);

test('kill -9 at random moments loses no acknowledged message, and the index matches the journal', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-history-crash-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const everAcked = new Set<number>();
  const perRound: number[] = [];
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < ROUNDS; round++) {
    // From "still starting up" to "well into appending and snapshotting"; the last round kills
    // after a number of acknowledgements, so a slow machine still gets a round that appended.
    const kill =
      round === ROUNDS - 1
        ? { afterAcks: 1 + Math.floor(random() * 200) }
        : { afterMs: 200 + Math.floor(random() * 2500) };
    const { acked, finished } = await appendThenKill(dir, kill);
    assert.equal(finished, false, 'the child was killed before it could finish');
    // Each round restarts the numbering, as a new process; key acknowledgements by round.
    for (const n of acked) everAcked.add(round * 1_000_000 + n);
    perRound.push(acked.length);

    const fromJournal = await journalMessages(dir);
    const store = await JournalHistoryStore.open(dir);
    const stored = await store.readSession('crash');
    await store.close();
    const storedTexts = stored.map((r) => (r.type === 'message' ? (r.message.content as string) : ''));
    // The index (snapshot + tail) says exactly what the journal says, in the same order.
    assert.deepEqual(storedTexts, fromJournal, `round ${round}: index and journal differ`);
    assert.deepEqual(
      stored.map((r) => r.ord),
      stored.map((_, i) => i),
    );
    // No acknowledged message of this round is missing.
    const present = new Set(
      fromJournal.slice(fromJournal.length - countThisRound(fromJournal, round)).map(numberOf),
    );
    for (const n of acked) assert.ok(present.has(n), `round ${round}: acknowledged message ${n} was lost`);
  }
  t.diagnostic(`acknowledged per round: ${perRound.join(' ')}`);
  assert.ok(everAcked.size > 0, 'some appends were acknowledged across the rounds');

  // A rebuild from the journal alone (no snapshot) agrees with the snapshot-based index.
  const copy = dir + '-rebuild';
  await cp(path.join(dir, 'journal'), path.join(copy, 'journal'), { recursive: true });
  t.after(() => rm(copy, { recursive: true, force: true }));
  const fresh = await JournalHistoryStore.open(copy);
  const withSnapshot = await JournalHistoryStore.open(dir);
  const a = await fresh.readSession('crash');
  const b = await withSnapshot.readSession('crash');
  assert.deepEqual(a, b);
  const query = { query: 'marker7 OR marker42 OR marker300', limit: 200 };
  assert.deepEqual(
    (await fresh.search(query)).map((h) => h.ord).sort(),
    (await withSnapshot.search(query)).map((h) => h.ord).sort(),
  );
  await Promise.all([fresh.close(), withSnapshot.close()]);
});

/**
 * Messages are numbered from 0 in each round; a round's messages are the run at the end of
 * the journal starting at the last "message 0" (or none if the round acknowledged nothing).
 */
function countThisRound(messages: string[], _round: number): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (numberOf(messages[i]!) === 0) return messages.length - i;
  }
  return 0;
}
