import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { checkpointLineSince, runCheckpointsCommand } from '../../../agent-server/cli/checkpoints-command.js';
import { cleanEnv, tempDir, writeFiles } from '../../helpers/env.js';
import { openStore } from './helpers.js';

test('cairn checkpoints list, restore N (asking about hand edits) and gc', async (t) => {
  const home = await tempDir('cp-cli-home');
  const ws = await tempDir('cp-cli-ws');
  t.after(async () => {
    await rm(home, { recursive: true, force: true });
    await rm(ws, { recursive: true, force: true });
  });
  await writeFiles(ws, { 'a.txt': 'start\n', 'h.txt': 'h\n' });
  const store = await openStore(home, ws);
  const cp = await store.create({ kind: 'turn', label: 'make a change' });
  await writeFiles(ws, { 'a.txt': 'agent\n', 'h.txt': 'agent\n' });
  await store.finish(cp.id);
  await writeFiles(ws, { 'h.txt': 'by hand\n' });

  const out: string[] = [];
  const err: string[] = [];
  const questions: string[] = [];
  const io = {
    out: (l: string) => out.push(l),
    err: (l: string) => err.push(l),
    cwd: ws,
    env: cleanEnv({ CAIRN_HOME: home }),
    confirm: async (q: string) => {
      questions.push(q);
      return false;
    },
  };
  assert.equal(await runCheckpointsCommand(['list'], io), 0);
  assert.match(
    out.join('\n'),
    new RegExp(`^  1  ${cp.id}  \\d\\d:\\d\\d  make a change  \\(2 files \\+2 −2\\)$`, 'm'),
  );

  out.length = 0;
  assert.equal(await runCheckpointsCommand(['restore', '1'], io), 0);
  assert.match(questions.join(''), /changed by hand after the checkpoint:\n  h\.txt\n/);
  assert.equal(await readFile(path.join(ws, 'a.txt'), 'utf8'), 'start\n');
  assert.equal(await readFile(path.join(ws, 'h.txt'), 'utf8'), 'by hand\n');
  assert.match(out.join('\n'), /Kept as they are \(changed by hand\): h\.txt/);
  const undoId = /restore (\S+)$/m.exec(out.join('\n'))?.[1];
  assert.ok(undoId);

  out.length = 0;
  assert.equal(await runCheckpointsCommand(['restore', undoId, '--overwrite'], io), 0);
  assert.equal(await readFile(path.join(ws, 'a.txt'), 'utf8'), 'agent\n');

  assert.equal(await runCheckpointsCommand(['restore', 'nope'], io), 1);
  assert.match(err.join('\n'), /No checkpoint nope/);
  assert.equal(await runCheckpointsCommand(['gc'], io), 0);
  assert.match(out.join('\n'), /Removed 0 checkpoints; 3 kept/);
});

test('the line cairn run prints names the checkpoint the run made, and nothing when it made none', async (t) => {
  const home = await tempDir('cp-run-home');
  const ws = await tempDir('cp-run-ws');
  t.after(async () => {
    await rm(home, { recursive: true, force: true });
    await rm(ws, { recursive: true, force: true });
  });
  const env = cleanEnv({ CAIRN_HOME: home });
  const start = new Date(Date.now() - 1000);
  assert.equal(await checkpointLineSince(ws, env, start), undefined);
  await writeFiles(ws, { 'a.txt': '1\n' });
  const store = await openStore(home, ws);
  const cp = await store.create({ kind: 'turn', label: 'run' });
  await writeFiles(ws, { 'a.txt': '2\n' });
  await store.finish(cp.id);
  assert.equal(
    await checkpointLineSince(ws, env, start),
    `Checkpoint ${cp.id}: the files before this run (undo it with: cairn checkpoints restore ${cp.id})`,
  );
  assert.equal(await checkpointLineSince(ws, env, new Date(Date.now() + 60_000)), undefined);
});
