import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { readFileTool } from '../../../agent-server/tools/read-file.js';
import { writeFileTool } from '../../../agent-server/tools/write-file.js';
import { editFileTool } from '../../../agent-server/tools/edit-file.js';
import { todoTool } from '../../../agent-server/tools/todo.js';
import { toolJsonSchema } from '../../../agent-server/runtime/session-tool-runner.js';
import { tempDir, writeFiles } from '../../helpers/env.js';
import { toolContext } from '../../helpers/tool-context.js';

test('tool names and parameters are the public contract', () => {
  const params = (t: Parameters<typeof toolJsonSchema>[0]) =>
    Object.keys((toolJsonSchema(t).properties ?? {}) as object);
  assert.deepEqual(params(readFileTool), ['path', 'offset', 'limit']);
  assert.deepEqual(params(writeFileTool), ['path', 'content']);
  assert.deepEqual(params(editFileTool), ['path', 'old_string', 'new_string', 'replace_all']);
  assert.deepEqual(params(todoTool), ['todos']);
  assert.deepEqual(toolJsonSchema(editFileTool).required, ['path', 'old_string', 'new_string']);
  assert.equal(toolJsonSchema(readFileTool).$schema, undefined);
});

test('read_file numbers lines, pages with offset/limit, refuses binary and folders', async () => {
  const root = await tempDir('read');
  const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
  await writeFiles(root, { 'a.txt': lines, 'empty.txt': '', 'crlf.txt': 'one\r\ntwo\r\n' });
  await fs.writeFile(path.join(root, 'bin.dat'), Buffer.from([0x89, 0x50, 0x00, 0x01]));
  const ctx = toolContext(root);

  const all = await readFileTool.run({ path: 'a.txt' }, ctx);
  assert.match(all.forModel, /^ 1\tline 1\n/);
  assert.match(all.forModel, /30\tline 30\n$/);
  const page = await readFileTool.run({ path: 'a.txt', offset: 10, limit: 3 }, ctx);
  assert.equal(page.forModel.split('\n')[0], '10\tline 10');
  assert.match(page.forModel, /Showing lines 10-12 of 30\. Use offset=13/);
  assert.match((await readFileTool.run({ path: 'empty.txt' }, ctx)).forModel, /empty file/);
  assert.equal((await readFileTool.run({ path: 'crlf.txt' }, ctx)).forModel, '1\tone\n2\ttwo\n');
  await assert.rejects(readFileTool.run({ path: 'bin.dat' }, ctx), /binary/);
  await assert.rejects(readFileTool.run({ path: '.' }, ctx), /folder/);
  await assert.rejects(readFileTool.run({ path: 'missing.txt' }, ctx), /does not exist/);
  await assert.rejects(readFileTool.run({ path: 'a.txt', offset: 99 }, ctx), /past the end/);
  await assert.rejects(readFileTool.run({ path: '../etc/passwd' }, ctx), /outside the workspace/);
});

test('read_file refuses a huge file unless a range is asked for', async () => {
  const root = await tempDir('huge');
  await fs.writeFile(path.join(root, 'big.log'), 'x'.repeat(11 * 1024 * 1024));
  const ctx = toolContext(root);
  await assert.rejects(readFileTool.run({ path: 'big.log' }, ctx), /too large to read whole/);
  const head = await readFileTool.run({ path: 'big.log', limit: 1 }, ctx);
  assert.match(head.forModel, /line cut at 2000 chars/);
});

test('write_file creates folders, shows a diff, and does nothing when rejected', async () => {
  const root = await tempDir('write');
  const ok = toolContext(root);
  const created = await writeFileTool.run({ path: 'deep/new/file.txt', content: 'hi\n' }, ok);
  assert.equal(await fs.readFile(path.join(root, 'deep/new/file.txt'), 'utf8'), 'hi\n');
  assert.match(created.forModel, /Created deep\/new\/file.txt/);
  assert.deepEqual(created.content, [
    { type: 'diff', path: path.join(root, 'deep/new/file.txt'), oldText: null, newText: 'hi\n' },
  ]);
  assert.equal(ok.asked[0]?.title, 'Create deep/new/file.txt');

  const no = toolContext(root, { answer: 'reject_once' });
  const refused = await writeFileTool.run({ path: 'deep/new/file.txt', content: 'changed\n' }, no);
  assert.match(refused.forModel, /NOT changed/);
  assert.equal(await fs.readFile(path.join(root, 'deep/new/file.txt'), 'utf8'), 'hi\n');

  const plan = toolContext(root, { mode: 'plan' });
  const inPlan = await writeFileTool.run({ path: 'x.txt', content: 'x' }, plan);
  assert.match(inPlan.forModel, /NOT changed.*read-only/);
  assert.equal(plan.asked.length, 0);
});

test('edit_file: exact unique match, clear errors, replace_all, CRLF files, file mode kept', async () => {
  const root = await tempDir('edit');
  await writeFiles(root, {
    'a.js': 'const a = 1;\nconst b = 1;\n',
    'win.txt': 'first\r\nsecond\r\n',
    'run.sh': '#!/bin/sh\necho hi\n',
  });
  await fs.chmod(path.join(root, 'run.sh'), 0o755);
  const ctx = toolContext(root, { mode: 'accept-edits' });

  await assert.rejects(
    editFileTool.run({ path: 'a.js', old_string: 'const c', new_string: 'x' }, ctx),
    /not found.*Read the file again/s,
  );
  await assert.rejects(
    editFileTool.run({ path: 'a.js', old_string: '= 1', new_string: '= 2' }, ctx),
    /occurs 2 times/,
  );
  await assert.rejects(
    editFileTool.run({ path: 'nope.js', old_string: 'a', new_string: 'b' }, ctx),
    /does not exist/,
  );
  const one = await editFileTool.run(
    { path: 'a.js', old_string: 'const b = 1', new_string: 'const b = 2' },
    ctx,
  );
  assert.equal(one.locations?.[0]?.line, 2);
  const all = await editFileTool.run(
    { path: 'a.js', old_string: 'const', new_string: 'let', replace_all: true },
    ctx,
  );
  assert.match(all.forModel, /2 replacements/);
  assert.equal(await fs.readFile(path.join(root, 'a.js'), 'utf8'), 'let a = 1;\nlet b = 2;\n');

  await editFileTool.run({ path: 'win.txt', old_string: 'first\nsecond', new_string: 'one\ntwo' }, ctx);
  assert.equal(await fs.readFile(path.join(root, 'win.txt'), 'utf8'), 'one\r\ntwo\r\n');

  await editFileTool.run({ path: 'run.sh', old_string: 'echo hi', new_string: 'echo bye' }, ctx);
  assert.equal((await fs.stat(path.join(root, 'run.sh'))).mode & 0o777, 0o755);
  // Replacement text with $ patterns is inserted literally.
  await editFileTool.run({ path: 'run.sh', old_string: 'echo bye', new_string: "echo '$& $1'" }, ctx);
  assert.match(await fs.readFile(path.join(root, 'run.sh'), 'utf8'), /echo '\$& \$1'/);
});

test('todo reports the plan and a checklist for the model', async () => {
  const result = await todoTool.run(
    {
      todos: [
        { content: 'a', status: 'completed' },
        { content: 'b', status: 'in_progress', priority: 'high' },
      ],
    },
    toolContext(await tempDir('todo')),
  );
  assert.deepEqual(result.plan, [
    { content: 'a', status: 'completed', priority: 'medium' },
    { content: 'b', status: 'in_progress', priority: 'high' },
  ]);
  assert.equal(result.forModel, 'Plan updated:\n[x] a\n[~] b');
});
