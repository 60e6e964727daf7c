import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalBackend } from '../../../agent-server/terminal/local-backend.js';

const owner = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/backend-owner.ts');

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until the group is gone; false if it is still there after `maxMs` (a generous bound). */
async function groupGone(pgid: number, maxMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

test('a command outlives neither a SIGKILLed owner nor its exit handlers (orphan guard)', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', owner], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pgid = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /pgid:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error(`owner exited early: ${out}`)));
  });
  assert.ok(groupAlive(pgid), 'the sleep is running');
  child.kill('SIGKILL');
  assert.ok(await groupGone(pgid), 'the command group was killed after its owner died');
});

test('cancelling a command that ignores SIGTERM is reported at once; SIGKILL follows', async () => {
  const backend = new LocalBackend();
  const controller = new AbortController();
  let pgid: number | undefined;
  const started = new Promise<void>((resolve) => {
    void backend
      .run({
        command: "trap '' TERM; echo pgid:$$; sleep 60; echo never",
        cwd: process.cwd(),
        timeoutMs: 120_000,
        signal: controller.signal,
        onOutput: (chunk) => {
          const m = /pgid:(\d+)/.exec(chunk);
          if (m) {
            pgid = Number(m[1]);
            resolve();
          }
        },
      })
      .then((r) => results.push(r));
  });
  const results: { cancelled: boolean }[] = [];
  await started;
  controller.abort();
  // The abort handler runs synchronously; the result is delivered on the next microtasks.
  await new Promise((r) => setImmediate(r));
  assert.equal(results.length, 1, 'cancel is reported before the kill finishes');
  assert.equal(results[0]!.cancelled, true);
  assert.ok(await groupGone(pgid!), 'SIGKILL ended it after the grace period');
  await backend.dispose();
});
