import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AcpMcpServer } from '../../../agent-server/mcp/index.js';
import { everythingStdio, filesystemStdio } from '../../fixtures/mcp/servers.js';
import { eventually, findTool, makeContext, makeGate, makeHub, runTool, ScriptedHuman } from './harness.js';

const hub = makeHub();
after(() => hub.closeAll());

const everything: AcpMcpServer = {
  name: 'everything',
  ...everythingStdio(),
  env: [],
};

test('server-everything over stdio: tools are listed as mcp__everything__* with object schemas', async () => {
  const session = await hub.openSession({
    fromClient: [everything],
    fromConfig: {},
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools, notices } = await session.prepare(new AbortController().signal);
    assert.deepEqual(notices, []);
    const names = tools.map((t) => t.name);
    assert.ok(names.includes('mcp__everything__echo'), names.join(', '));
    assert.ok(names.includes('mcp__everything__get-tiny-image'));
    for (const tool of tools) {
      assert.match(tool.name, /^[A-Za-z0-9_-]{1,64}$/);
      assert.equal(tool.jsonSchema?.type, 'object');
      assert.equal('$schema' in (tool.jsonSchema ?? {}), false);
    }
    const echo = findTool(tools, 'mcp__everything__echo');
    assert.deepEqual(Object.keys((echo.jsonSchema?.properties as object) ?? {}), ['message']);
    assert.match(session.status().join('\n'), /MCP everything \(stdio, from the client\): ready, \d+ tools/);
  } finally {
    await session.close();
  }
});

test('calling echo returns its text to the model and the client; a readOnlyHint does not skip the question', async () => {
  const session = await hub.openSession({
    fromClient: [everything],
    fromConfig: {},
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools } = await session.prepare(new AbortController().signal);
    const { gate, human } = makeGate('ask');
    const echo = findTool(tools, 'mcp__everything__echo');
    // The server's readOnlyHint is not trusted: not shown as a read, not offered in plan mode.
    assert.equal(echo.kind, 'other');
    assert.equal(echo.readOnly, false);
    const result = await runTool(echo, { message: 'hello cairn' }, makeContext(gate));
    assert.equal(result.forModel, 'Echo: hello cairn');
    assert.deepEqual(result.content, [{ type: 'text', text: 'Echo: hello cairn' }]);
    assert.equal(human.asked.length, 1, 'a readOnlyHint tool asks like any other in ask mode');
    assert.equal(human.asked[0]!.category, 'external');

    const image = findTool(tools, 'mcp__everything__get-tiny-image');
    const imageResult = await runTool(image, {}, makeContext(gate));
    const picture = imageResult.content?.find((c) => c.type === 'image');
    assert.ok(picture && picture.type === 'image');
    assert.equal(picture.mimeType, 'image/png');
    assert.equal(Buffer.from(picture.data, 'base64').subarray(1, 4).toString(), 'PNG');
    assert.match(imageResult.forModel, /\[image\/png image, .* shown to the user\]/);
    assert.equal(imageResult.content?.filter((c) => c.type === 'text').length, 2);
  } finally {
    await session.close();
  }
});

test('a tool that is not read-only asks, "always allow" is remembered per tool, a rejection does not run it', async () => {
  const session = await hub.openSession({
    fromClient: [everything],
    fromConfig: {},
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools } = await session.prepare(new AbortController().signal);
    const human = new ScriptedHuman('allow_always');
    const { gate, rules } = makeGate('ask', human);
    const toggle = findTool(tools, 'mcp__everything__toggle-simulated-logging');
    assert.equal(toggle.kind, 'other');
    assert.equal(toggle.readOnly, false);
    const first = await runTool(toggle, {}, makeContext(gate));
    assert.doesNotMatch(first.forModel, /^Not run/);
    assert.equal(human.asked.length, 1);
    assert.equal(human.asked[0]!.ruleKey, 'mcp:everything:toggle-simulated-logging');
    assert.equal(human.asked[0]!.category, 'external');
    assert.equal(human.asked[0]!.kind, 'other');
    assert.equal(human.asked[0]!.dangerous, false);
    await runTool(toggle, {}, makeContext(gate));
    assert.equal(human.asked.length, 1, '"always" covers the next call of the same tool');
    assert.equal(rules.lookup('mcp:everything:toggle-simulated-logging'), 'allow');

    const other = findTool(tools, 'mcp__everything__toggle-subscriber-updates');
    human.answer = 'reject_once';
    const rejected = await runTool(other, {}, makeContext(gate));
    assert.equal(human.asked.length, 2, 'another tool asks again');
    assert.match(rejected.forModel, /^Not run: /);
    assert.equal(rejected.content, undefined);
    assert.equal(rejected.outcome, 'rejected', 'a refused MCP call ends rejected, never done');
  } finally {
    await session.close();
  }
});

test('a tool error reaches the model as a thrown error with the server message', async () => {
  const session = await hub.openSession({
    fromClient: [everything],
    fromConfig: {},
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools } = await session.prepare(new AbortController().signal);
    const { gate } = makeGate('auto');
    const sum = findTool(tools, 'mcp__everything__get-sum');
    await assert.rejects(runTool(sum, { a: 'not a number' }, makeContext(gate)), (error: Error) => {
      assert.equal(error.name, 'ToolError');
      assert.match(error.message, /a|b/);
      return true;
    });
    const ok = await runTool(sum, { a: 2, b: 3 }, makeContext(gate));
    assert.match(ok.forModel, /5/);
  } finally {
    await session.close();
  }
});

test('server-filesystem over stdio: reads a file, embeds resources as text, refuses paths outside its root', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'cairn-mcp-fs-'));
  writeFileSync(path.join(root, 'notes.txt'), 'the cairn is tall\n');
  const session = await hub.openSession({
    fromClient: [],
    fromConfig: { fs: filesystemStdio(root) },
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools, notices } = await session.prepare(new AbortController().signal);
    assert.deepEqual(notices, []);
    const read = findTool(tools, 'mcp__fs__read_text_file');
    assert.equal(read.readOnly, false, 'no MCP tool is offered in plan mode');
    const { gate } = makeGate('auto');
    const result = await runTool(read, { path: path.join(root, 'notes.txt') }, makeContext(gate));
    assert.match(result.forModel, /the cairn is tall/);
    await assert.rejects(
      runTool(read, { path: '/etc/passwd' }, makeContext(gate)),
      /outside|denied|not allowed/i,
    );
    // In plan mode every MCP tool is refused by the gate before it runs, readOnlyHint or not.
    const plan = makeGate('plan').gate;
    for (const [tool, input] of [
      [read, { path: path.join(root, 'notes.txt') }],
      [findTool(tools, 'mcp__fs__write_file'), { path: path.join(root, 'x.txt'), content: 'x' }],
    ] as const) {
      const refused = await runTool(tool, input, makeContext(plan));
      assert.match(refused.forModel, /^Not run: Not allowed in plan mode/);
      assert.equal(refused.outcome, 'rejected');
    }
    assert.match(session.status().join('\n'), /MCP fs \(stdio, from Cairn config\): ready/);
  } finally {
    await session.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('embedded resources map to text with their URI', async () => {
  const session = await hub.openSession({
    fromClient: [everything],
    fromConfig: {},
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools } = await session.prepare(new AbortController().signal);
    const { gate } = makeGate('auto');
    const ref = findTool(tools, 'mcp__everything__get-resource-reference');
    const result = await runTool(ref, { resourceType: 'Text', resourceId: 1 }, makeContext(gate));
    assert.match(result.forModel, /Resource demo:\/\/resource\/\S+/);
    assert.ok(result.content?.every((c) => c.type === 'text'));
  } finally {
    await session.close();
  }
});

test('a stdio server runs in the workspace only when the user\'s config says "cwd": "${workspace}"', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'cairn-mcp-cwd-'));
  writeFileSync(path.join(root, 'here.txt'), 'in the project\n');
  const session = await hub.openSession({
    fromClient: [],
    fromConfig: { fs: { ...filesystemStdio('.'), cwd: '${workspace}' } },
    cwd: root,
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools } = await session.prepare(new AbortController().signal);
    const { gate } = makeGate('auto');
    const read = findTool(tools, 'mcp__fs__read_text_file');
    const result = await runTool(read, { path: path.join(root, 'here.txt') }, makeContext(gate));
    assert.match(result.forModel, /in the project/);
  } finally {
    await session.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('progress notifications from a long call reach the client as live content', async () => {
  const session = await hub.openSession({
    fromClient: [everything],
    fromConfig: {},
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools } = await session.prepare(new AbortController().signal);
    const { gate } = makeGate('auto');
    const ctx = makeContext(gate);
    const long = findTool(tools, 'mcp__everything__trigger-long-running-operation');
    const result = await runTool(long, { duration: 0.2, steps: 2 }, ctx);
    assert.match(result.forModel, /Long running operation completed/);
    // The last step's notice may race the result; the first one always arrives while the call runs.
    assert.deepEqual(ctx.progressed[0], [{ type: 'text', text: 'Progress 1/2' }]);
    for (const shown of ctx.progressed)
      assert.match((shown[0] as { text: string }).text, /^Progress [12]\/2$/);
  } finally {
    await session.close();
  }
});

test('a stdio server gets its configured env and the safe defaults, never Cairn’s API keys', async () => {
  const saved = process.env.OPENAI_API_KEY;
  process.env.OPENAI_API_KEY = 'sk-must-not-leak';
  const session = await hub.openSession({
    fromClient: [
      { name: 'everything', ...everythingStdio(), env: [{ name: 'CAIRN_MCP_TEST', value: 'given' }] },
    ],
    fromConfig: {},
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools } = await session.prepare(new AbortController().signal);
    const { gate } = makeGate('auto');
    const result = await runTool(findTool(tools, 'mcp__everything__get-env'), {}, makeContext(gate));
    assert.match(result.forModel, /"CAIRN_MCP_TEST": "given"/);
    assert.match(result.forModel, /"PATH":/);
    assert.doesNotMatch(result.forModel, /sk-must-not-leak|OPENAI_API_KEY/);
  } finally {
    if (saved === undefined) delete process.env.OPENAI_API_KEY;
    else process.env.OPENAI_API_KEY = saved;
    await session.close();
  }
});

test('cancelling a long server-everything call ends it at once and the server stays usable', async () => {
  const session = await hub.openSession({
    fromClient: [everything],
    fromConfig: {},
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools } = await session.prepare(new AbortController().signal);
    const { gate } = makeGate('auto');
    const turn = new AbortController();
    const ctx = makeContext(gate, turn.signal);
    const long = runTool(
      findTool(tools, 'mcp__everything__trigger-long-running-operation'),
      { duration: 600, steps: 600 },
      ctx,
    );
    // Cancel once the server has reported progress, so the call is surely running there.
    await eventually(() => ctx.progressed.length > 0, 'progress from the long call');
    turn.abort();
    await assert.rejects(long);
    const echo = await runTool(
      findTool(tools, 'mcp__everything__echo'),
      { message: 'after' },
      makeContext(gate),
    );
    assert.equal(echo.forModel, 'Echo: after');
  } finally {
    await session.close();
  }
});
