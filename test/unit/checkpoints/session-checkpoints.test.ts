import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { CheckpointsConfigSchema } from '../../../shared/config.js';
import { checkpointDir } from '../../../agent-server/checkpoints/index.js';
import { PermissionGate, type PermissionRequest } from '../../../agent-server/permissions/gate.js';
import { MemoryPermissionRules } from '../../../agent-server/runtime/permission-rules.js';
import { SessionCheckpoints } from '../../../agent-server/runtime/session-checkpoints.js';
import { tempDir, writeFiles } from '../../helpers/env.js';

async function setup(t: { after: (fn: () => Promise<void>) => void }, config = {}) {
  const home = await tempDir('sc-home');
  const ws = await tempDir('sc-ws');
  t.after(async () => {
    await rm(home, { recursive: true, force: true });
    await rm(ws, { recursive: true, force: true });
  });
  const asked: PermissionRequest[] = [];
  const gate = new PermissionGate(
    () => 'auto',
    {
      ask: async (req) => {
        asked.push(req);
        return 'reject_once';
      },
    },
    new MemoryPermissionRules(),
  );
  const checkpoints = new SessionCheckpoints({
    home,
    cwd: ws,
    config: CheckpointsConfigSchema.parse(config),
    sessionId: 's1',
    gate,
    prompt: () => 'the prompt',
    turnRunning: () => false,
    log: () => {},
  });
  const run = async (name: string, args = '') => {
    const command = checkpoints.commands().find((c) => c.name === name)!;
    const result = await command.run(undefined as never, args);
    return 'reply' in result ? result.reply : '';
  };
  return { home, ws, checkpoints, asked, run };
}

test('a read-only turn costs nothing: no checkpoint, not even a store', async (t) => {
  const { home, ws, checkpoints } = await setup(t);
  await checkpoints.turnEnded();
  await assert.rejects(stat(checkpointDir(home, ws)), /ENOENT/);
});

test('one checkpoint per turn however many changes; /rewind lists it, /undo restores, auto mode still asks about hand edits', async (t) => {
  const { ws, checkpoints, asked, run } = await setup(t);
  await writeFiles(ws, { 'a.txt': '1\n', 'h.txt': 'h\n' });
  await checkpoints.beforeChange();
  await writeFiles(ws, { 'a.txt': '2\n' });
  await checkpoints.afterChange();
  await checkpoints.beforeChange();
  await writeFiles(ws, { 'h.txt': 'agent\n' });
  await checkpoints.afterChange();
  const done = await checkpoints.turnEnded();
  assert.deepEqual(done?.stats, { files: 2, added: 2, removed: 2 });
  await writeFiles(ws, { 'h.txt': 'by hand\n' });

  const listed = await run('rewind');
  assert.match(listed, /^1\. \d\d:\d\d  the prompt  \(2 files \+2 −2\)/m);
  assert.doesNotMatch(listed, /^2\./m);
  const reply = await run('undo');
  assert.equal(asked.length, 1, 'asked even in auto mode');
  assert.match(asked[0]!.title, /changed by hand.*h\.txt/);
  assert.match(reply, /restored `a\.txt`\n```diff\n-2\n\+1\n```/);
  assert.match(reply, /Kept as they are \(changed by hand\): `h\.txt`/);
  assert.equal(await readFile(path.join(ws, 'a.txt'), 'utf8'), '1\n');
  assert.equal(await readFile(path.join(ws, 'h.txt'), 'utf8'), 'by hand\n');
  assert.match(checkpoints.statusLine(), /latest \d{8}-\d{6}-[0-9a-f]{4}/);
});

test('a turn whose writes changed nothing leaves nothing to undo', async (t) => {
  const { ws, checkpoints, run } = await setup(t);
  await writeFiles(ws, { 'a.txt': '1\n' });
  await checkpoints.beforeChange();
  await checkpoints.afterChange();
  assert.equal(await checkpoints.turnEnded(), undefined);
  assert.match(await run('undo'), /no checkpoint 1/i);
});

test('checkpoints.enabled false: nothing recorded, and the commands say why', async (t) => {
  const { home, ws, checkpoints, run } = await setup(t, { enabled: false });
  await checkpoints.beforeChange();
  await checkpoints.turnEnded();
  await assert.rejects(stat(checkpointDir(home, ws)), /ENOENT/);
  assert.match(await run('rewind'), /Checkpoints are off \(checkpoints\.enabled is false/);
});

test('without git the first prompt says checkpoints are off, once', async (t) => {
  const { checkpoints, ws } = await setup(t);
  const saved = process.env.PATH;
  process.env.PATH = path.join(ws, 'no-bin');
  t.after(() => {
    process.env.PATH = saved;
  });
  await checkpoints.beforeChange();
  assert.match(
    (await checkpoints.turnStarting()).join('\n'),
    /Checkpoints are off: the git program could not be run/,
  );
  assert.deepEqual(await checkpoints.turnStarting(), []);
});
