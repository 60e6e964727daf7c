import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { searchFilesTool } from '../../../agent-server/tools/search-files.js';
import { ripgrepPath } from '../../../agent-server/tools/ripgrep-path.js';
import { nodeSearch } from '../../../agent-server/tools/node-search.js';
import { tempDir, writeFiles } from '../../helpers/env.js';
import { toolContext } from '../../helpers/tool-context.js';

async function project() {
  const root = await tempDir('search');
  await writeFiles(root, {
    '.gitignore': 'build/\n*.log\n',
    'src/app.ts': 'export function handleLogin() {}\nconst x = handleLogin();\n',
    'src/util.py': 'def handle_login():\n    pass\n',
    'build/out.js': 'handleLogin()\n',
    'debug.log': 'handleLogin failed\n',
    'README.md': 'Call handleLogin.\n',
  });
  return root;
}

test('search_files uses ripgrep: .gitignore respected, glob, files_only, bad regex', async () => {
  assert.ok(ripgrepPath(), 'ripgrep from @vscode/ripgrep is available');
  const root = await project();
  const ctx = toolContext(root);
  const hits = await searchFilesTool.run({ pattern: 'handleLogin' }, ctx);
  const lines = hits.forModel.split('\n').sort();
  assert.deepEqual(lines, [
    'README.md:1:Call handleLogin.',
    'src/app.ts:1:export function handleLogin() {}',
    'src/app.ts:2:const x = handleLogin();',
  ]);
  assert.deepEqual(hits.locations?.[0], {
    path: path.join(
      root,
      lines.includes(hits.forModel.split('\n')[0]!) ? hits.forModel.split('\n')[0]!.split(':')[0]! : '',
    ),
    line: Number(hits.forModel.split('\n')[0]!.split(':')[1]),
  });

  const ts = await searchFilesTool.run({ pattern: 'handle', glob: '*.py' }, ctx);
  assert.equal(ts.forModel, 'src/util.py:1:def handle_login():');
  const files = await searchFilesTool.run({ pattern: 'handle', files_only: true, path: 'src' }, ctx);
  assert.deepEqual(files.forModel.split('\n').sort(), ['src/app.ts', 'src/util.py']);
  assert.match((await searchFilesTool.run({ pattern: 'nothing-here-xyz' }, ctx)).forModel, /No matches/);
  await assert.rejects(searchFilesTool.run({ pattern: '(unclosed' }, ctx), /Search failed/);
  await assert.rejects(searchFilesTool.run({ pattern: 'x', path: '../..' }, ctx), /outside the workspace/);
});

test('the pure-Node fallback finds the same lines and honours .gitignore', async () => {
  const root = await project();
  const { hits } = await nodeSearch({
    root,
    target: root,
    pattern: /handleLogin/,
    filesOnly: false,
    maxHits: 100,
    signal: new AbortController().signal,
  });
  const found = hits.map((h) => `${path.relative(root, h.file)}:${h.line}`).sort();
  assert.deepEqual(found, ['README.md:1', 'src/app.ts:1', 'src/app.ts:2']);
  const globbed = await nodeSearch({
    root,
    target: root,
    pattern: /handle/,
    glob: 'src/**/*.py',
    filesOnly: true,
    maxHits: 100,
    signal: new AbortController().signal,
  });
  assert.deepEqual(
    globbed.hits.map((h) => path.relative(root, h.file)),
    ['src/util.py'],
  );
  const capped = await nodeSearch({
    root,
    target: root,
    pattern: /./,
    filesOnly: false,
    maxHits: 2,
    signal: new AbortController().signal,
  });
  assert.equal(capped.hits.length, 2);
  assert.equal(capped.truncated, true);
});

test("CAIRN_RIPGREP_PATH (the editor's own ripgrep) is preferred when it exists", async () => {
  const dir = await tempDir('rg-env');
  const fake = path.join(dir, 'rg');
  await writeFiles(dir, {
    rg: '#!/bin/sh\necho "from-editor-rg.txt:7:found by the editor\'s ripgrep"\n',
    // Hits are checked against the file itself: the fake's answer must be true.
    'from-editor-rg.txt': `${'\n'.repeat(6)}found by the editor's ripgrep\n`,
  });
  const { chmod } = await import('node:fs/promises');
  await chmod(fake, 0o755);
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const script = `
    import { searchFilesTool } from './agent-server/tools/search-files.ts';
    import { toolContext } from './test/helpers/tool-context.ts';
    const r = await searchFilesTool.run({ pattern: 'x' }, toolContext(${JSON.stringify(dir)}));
    console.log(r.forModel);`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      cwd: path.resolve(import.meta.dirname, '../../..'),
      env: { ...process.env, CAIRN_RIPGREP_PATH: fake },
    },
  );
  assert.match(stdout, /from-editor-rg\.txt:7:found by the editor's ripgrep/);
});
