import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { lockFile, removeDeadWritersTemps } from '../../../agent-server/util/file-lock.js';

const holder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/lock-holder.ts');

test('a lock whose holder was killed is seen as dead by its pid and taken at once', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-memlock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'MEMORY.md');
  const child = spawn(process.execPath, ['--import', 'tsx', holder, file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('locked')) resolve();
    });
    child.on('exit', () => reject(new Error('holder exited before locking')));
  });
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;

  const lock = await lockFile(file);
  // Not the 10-second stale-lock path: the dead holder was recognised by its pid.
  assert.equal(lock.clearedDeadHolder, child.pid);
  await lock.release();
});

test('a lock held by a live process is not taken from it', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-memlock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'MEMORY.md');
  const first = await lockFile(file);
  let secondTaken = false;
  const second = lockFile(file).then((l) => {
    secondTaken = true;
    return l;
  });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(secondTaken, false, 'the second writer waits for the live holder');
  await first.release();
  const taken = await second;
  assert.equal(taken.clearedDeadHolder, undefined);
  await taken.release();
});

test('temp files of writers that died mid-write are removed; a live writer’s are kept', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-memlock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'MEMORY.md');
  const dead = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => dead.once('exit', r));
  await writeFile(path.join(dir, `.MEMORY.md.${dead.pid}.abcd1234.tmp`), 'half');
  await writeFile(path.join(dir, `.MEMORY.md.${process.pid}.abcd1234.tmp`), 'in progress');
  await writeFile(path.join(dir, `.USER.md.${dead.pid}.abcd1234.tmp`), 'another file');
  await removeDeadWritersTemps(file);
  assert.deepEqual((await readdir(dir)).sort(), [
    `.MEMORY.md.${process.pid}.abcd1234.tmp`,
    `.USER.md.${dead.pid}.abcd1234.tmp`,
  ]);
});

test('a lock held past its first refresh is still held (the owner file does not look like a takeover)', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-memlock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const lost: string[] = [];
  t.mock.method(console, 'error', (...args: unknown[]) => {
    if (String(args[0]).includes('lost the lock')) lost.push(args.join(' '));
  });
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const lockDir = path.join(dir, 'repo.lock');
  const lock = await lockFile(path.join(dir, 'repo'));
  const taken = (await stat(lockDir)).mtimeMs;
  t.mock.timers.tick(6_000); // proper-lockfile refreshes at half the 10 s stale time
  let refreshed = false;
  for (let i = 0; i < 10_000 && !lost.length && !refreshed; i++) {
    await new Promise((r) => setImmediate(r));
    refreshed = (await stat(lockDir)).mtimeMs !== taken;
  }
  await lock.release();
  assert.deepEqual(lost, []);
  assert.ok(refreshed, 'the refresh ran and kept the lock');
});
