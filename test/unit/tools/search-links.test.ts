import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { searchFilesTool } from '../../../agent-server/tools/search-files.js';
import { nodeSearch } from '../../../agent-server/tools/node-search.js';
import { confirmHits } from '../../../agent-server/tools/search-confirm.js';
import type { FileInfo } from '../../../agent-server/workspace/anchored-files.js';
import { tempDir, writeFiles } from '../../helpers/env.js';
import { toolContext } from '../../helpers/tool-context.js';

/** A workspace with links to a folder and a file outside it, and one link that stays inside. */
async function linkedProject() {
  const base = await tempDir('search-links');
  const root = path.join(base, 'repo');
  const outside = path.join(base, 'home');
  await writeFiles(outside, { '.ssh/id_rsa': 'needle-outside\n' });
  await writeFiles(root, { 'src/a.ts': 'needle-inside\n', 'real/b.ts': 'needle-via-inner-link\n' });
  await fs.symlink(path.join(outside, '.ssh'), path.join(root, 'keys'));
  await fs.symlink(path.join(outside, '.ssh/id_rsa'), path.join(root, 'src/key.txt'));
  await fs.symlink('real', path.join(root, 'alias'));
  return { root, outside };
}

test('search_files (ripgrep) does not search symlinked files or folders met while walking', async () => {
  const { root } = await linkedProject();
  const ctx = toolContext(root, { mode: 'plan' });
  const lines = await searchFilesTool.run({ pattern: 'needle' }, ctx);
  assert.doesNotMatch(lines.forModel, /outside/);
  assert.match(lines.forModel, /src\/a\.ts:1:needle-inside/);
  const files = await searchFilesTool.run({ pattern: 'needle', files_only: true }, ctx);
  assert.doesNotMatch(files.forModel, /key\.txt|keys/);
  // A link that stays inside may be searched when asked for by name.
  const inner = await searchFilesTool.run({ pattern: 'needle', path: 'alias' }, ctx);
  assert.match(inner.forModel, /alias\/b\.ts:1:needle-via-inner-link/);
  await assert.rejects(
    searchFilesTool.run({ pattern: 'needle', path: 'keys' }, ctx),
    /outside the workspace/,
  );
});

test('the Node fallback skips links below the searched folder and reads files safely', async () => {
  const { root } = await linkedProject();
  const { hits } = await nodeSearch({
    root,
    target: root,
    pattern: /needle/,
    filesOnly: false,
    maxHits: 100,
    signal: new AbortController().signal,
  });
  assert.deepEqual(hits.map((h) => `${path.relative(root, h.file)}:${h.text}`).sort(), [
    'real/b.ts:needle-via-inner-link',
    'src/a.ts:needle-inside',
  ]);
});

test('the Node fallback shows nothing a safe open refuses (a file swapped for a link out)', async () => {
  const { root } = await linkedProject();
  const refused = async (): Promise<FileInfo> => {
    throw new Error('links outside the workspace');
  };
  const { hits } = await nodeSearch({
    root,
    target: root,
    pattern: /needle/,
    filesOnly: true,
    maxHits: 100,
    signal: new AbortController().signal,
    read: refused,
  });
  assert.deepEqual(hits, []);
});

test('confirmHits keeps hits the file holds, with its text, and drops the rest', async () => {
  const files: Record<string, string> = {
    '/w/a.ts': 'one\r\ntwo needle\n',
    '/w/long.ts': `${'x'.repeat(400)}needle\n`,
  };
  const read = async (abs: string): Promise<FileInfo> => {
    if (abs === '/w/gone.ts') throw new Error('refused');
    const text = files[abs];
    return text === undefined
      ? { kind: 'missing' }
      : { kind: 'file', size: text.length, head: Buffer.from(text) };
  };
  const { hits, dropped } = await confirmHits(
    [
      { file: 'a.ts', line: 2, text: 'two needle' },
      // What ripgrep read through a folder swapped for a link: not what the workspace file holds.
      { file: 'a.ts', line: 1, text: 'SECRET-KEY needle' },
      { file: 'gone.ts', line: 1, text: 'needle' },
      { file: 'missing.ts', line: 1, text: 'needle' },
      { file: 'a.ts', line: 9, text: 'needle' },
      { file: 'long.ts', line: 1, text: `${'x'.repeat(30)} [... omitted end of long line]` },
      { file: 'long.ts', line: 1, text: `${'y'.repeat(30)} [... omitted end of long line]` },
    ],
    read,
    (f) => `/w/${f}`,
  );
  assert.deepEqual(
    hits.map((h) => `${h.file}:${h.line}:${h.text!.slice(0, 12)}`),
    ['a.ts:2:two needle', `long.ts:1:${'x'.repeat(12)}`],
  );
  assert.equal(dropped, 5);
});
