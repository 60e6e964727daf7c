import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type * as acp from '@agentclientprotocol/sdk';
import { ClientWorkspace } from '../../../agent-server/acp/client-workspace.js';
import { PathPolicy } from '../../../agent-server/workspace/paths.js';
import { tempDir, writeFiles } from '../../helpers/env.js';

/** An editor that answers with `answer` after running `during` (a swap made while it works). */
function editor(answer: (method: string, params: { path: string }) => unknown, during = async () => {}) {
  const asked: string[] = [];
  const client = {
    request: async (method: string, params: { path: string }) => {
      asked.push(`${method} ${params.path}`);
      await during();
      return answer(method, params);
    },
  } as unknown as acp.AgentContext;
  return { client, asked };
}

async function setup() {
  const root = await tempDir('client-ws');
  const outside = await tempDir('client-ws-out');
  await writeFiles(root, { 'src/a.txt': 'disk A\n', 'real/b.txt': 'B\n' });
  await writeFiles(outside, { 'a.txt': 'OUTSIDE\n' });
  await fs.symlink('real', path.join(root, 'alias'));
  return { root, outside, paths: new PathPolicy(root) };
}

test('ClientWorkspace asks the editor for link-free paths only, and reads linked ones on disk', async () => {
  const { root, paths } = await setup();
  const ed = editor(() => ({ content: 'editor buffer\n' }));
  const ws = new ClientWorkspace(paths, ed.client, 's', { read: true, write: true });
  assert.equal(await ws.readText(path.join(root, 'src/a.txt')), 'editor buffer\n');
  assert.equal(
    await ws.readText(path.join(root, 'alias/b.txt')),
    'B\n',
    'read on disk through the inside link',
  );
  assert.deepEqual(ed.asked, [`fs/read_text_file ${path.join(root, 'src/a.txt')}`]);

  await ws.writeText(path.join(root, 'alias/b.txt'), 'B2\n');
  assert.equal(await fs.readFile(path.join(root, 'real/b.txt'), 'utf8'), 'B2\n');
  assert.equal(ed.asked.length, 1, 'a linked path is written on disk, never by the editor');
});

test('a parent swapped for a link out while the editor answers: its read is discarded, its write reported', async () => {
  const { root, outside, paths } = await setup();
  const swap = async () => {
    await fs.rm(path.join(root, 'src'), { recursive: true, force: true });
    await fs.symlink(outside, path.join(root, 'src'));
  };
  const reading = new ClientWorkspace(paths, editor(() => ({ content: 'OUTSIDE\n' }), swap).client, 's', {
    read: true,
    write: true,
  });
  await assert.rejects(reading.readText(path.join(root, 'src/a.txt')), /outside the workspace/);

  const again = await setup();
  const swapAgain = async () => {
    await fs.rm(path.join(again.root, 'src'), { recursive: true, force: true });
    await fs.symlink(again.outside, path.join(again.root, 'src'));
  };
  const writing = new ClientWorkspace(again.paths, editor(() => ({}), swapAgain).client, 's', {
    read: true,
    write: true,
  });
  await assert.rejects(writing.writeText(path.join(again.root, 'src/a.txt'), 'x'), /replaced by a symlink/);
});
