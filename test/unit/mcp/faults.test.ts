import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { everythingStdio, faultyStdio, isAlive } from '../../fixtures/mcp/servers.js';
import { eventually, findTool, makeContext, makeGate, makeHub, runTool } from './harness.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'cairn-mcp-faults-'));
const never = () => new AbortController().signal;

test('a server that crashes mid-call fails that call, the session keeps working, and the server is restarted', async () => {
  const hub = makeHub();
  const session = await hub.openSession({
    fromClient: [],
    fromConfig: { faulty: faultyStdio('ok') },
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools } = await session.prepare(never());
    const { gate } = makeGate('auto');
    await assert.rejects(
      runTool(findTool(tools, 'mcp__faulty__crash'), {}, makeContext(gate)),
      (error: Error) => {
        assert.equal(error.name, 'ToolError');
        assert.match(
          error.message,
          /MCP server "faulty" could not run "crash": the server stopped during the call/,
        );
        return true;
      },
    );
    assert.match(
      session.status().join('\n'),
      /MCP faulty .*: (unavailable: stopped unexpectedly \(exited with code 3\)|starting|ready)/,
    );
    // The next turn tells the user once and, after the backoff, has the tools again.
    await eventually(async () => (await session.prepare(never())).tools.length > 0, 'the restarted server');
    const again = await session.prepare(never());
    const echo = findTool(again.tools, 'mcp__faulty__echo');
    const result = await runTool(echo, { message: 'back' }, makeContext(gate));
    assert.equal(result.forModel, 'echo: back');
  } finally {
    await session.close();
    await hub.closeAll();
  }
});

test('a crash is told to the user once, naming the server', async () => {
  const hub = makeHub();
  const session = await hub.openSession({
    fromClient: [],
    fromConfig: { faulty: faultyStdio('ok') },
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools } = await session.prepare(never());
    const { gate } = makeGate('auto');
    await assert.rejects(runTool(findTool(tools, 'mcp__faulty__crash'), {}, makeContext(gate)));
    // Whether or not the restart has happened yet, the next turn says what happened, once.
    const next = await session.prepare(never());
    assert.equal(next.notices.length, 1);
    assert.match(
      next.notices[0]!,
      /^MCP server "faulty" stopped unexpectedly \(exited with code 3\)(; Cairn restarts it| and was restarted)/,
    );
    await eventually(async () => (await session.prepare(never())).tools.length > 0, 'the restart');
    const later = await session.prepare(never());
    assert.deepEqual(later.notices, [], 'the same crash is not repeated every turn');
  } finally {
    await session.close();
    await hub.closeAll();
  }
});

test('a server that never answers initialize times out with a notice', async () => {
  const hub = makeHub({ startupTimeoutMs: 1500 });
  const session = await hub.openSession({
    fromClient: [{ name: 'silent', ...faultyStdio('never-ready'), env: [] }],
    fromConfig: {},
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools, notices } = await session.prepare(never());
    assert.deepEqual(tools, []);
    assert.equal(notices.length, 1);
    assert.match(
      notices[0]!,
      /^MCP server "silent" failed to start: it did not answer within 1\.5s \(the startup timeout\)\. This session continues without its tools\.$/,
    );
    assert.match(
      session.status().join('\n'),
      /MCP silent \(stdio, from the client\): unavailable: it did not answer/,
    );
    const second = await session.prepare(never());
    assert.deepEqual(second.notices, [], 'told once');
  } finally {
    await session.close();
  }
});

test('a server that exits at startup is reported with its exit code and stderr', async () => {
  const hub = makeHub();
  const session = await hub.openSession({
    fromClient: [],
    fromConfig: { broken: faultyStdio('exit-at-start') },
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools, notices } = await session.prepare(never());
    assert.deepEqual(tools, []);
    assert.equal(notices.length, 1);
    assert.match(
      notices[0]!,
      /MCP server "broken" failed to start: .*exited with code 2.*FAULTY_TOKEN is not set/,
    );
  } finally {
    await session.close();
  }
});

test('a command that does not exist is reported, not thrown; the other servers still work', async () => {
  const hub = makeHub();
  const session = await hub.openSession({
    fromClient: [{ name: 'everything', ...everythingStdio(), env: [] }],
    fromConfig: { ghost: { command: '/nonexistent/mcp-server', args: [], env: {} } },
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools, notices } = await session.prepare(never());
    assert.ok(tools.some((t) => t.name === 'mcp__everything__echo'));
    assert.ok(!tools.some((t) => t.name.startsWith('mcp__ghost__')));
    assert.equal(notices.length, 1);
    assert.match(
      notices[0]!,
      /MCP server "ghost" failed to start: cannot run \/nonexistent\/mcp-server: .*ENOENT/,
    );
  } finally {
    await session.close();
  }
});

test('cancelling the turn cancels the in-flight MCP call on the server', async () => {
  const hub = makeHub();
  const session = await hub.openSession({
    fromClient: [],
    fromConfig: { faulty: faultyStdio('ok') },
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools } = await session.prepare(never());
    const { gate } = makeGate('auto');
    const turn = new AbortController();
    const marker = path.join(scratch, 'cancel-marker');
    const call = runTool(
      findTool(tools, 'mcp__faulty__slow'),
      { seconds: 600, markerFile: marker },
      makeContext(gate, turn.signal),
    );
    await eventually(() => existsSync(marker), 'the call to start on the server');
    turn.abort();
    await assert.rejects(call);
    await eventually(
      () => readFileSync(marker, 'utf8').includes('cancelled'),
      'the server to see the cancellation',
    );
    // The server is still usable after a cancelled call.
    const result = await runTool(
      findTool(tools, 'mcp__faulty__echo'),
      { message: 'still here' },
      makeContext(gate),
    );
    assert.equal(result.forModel, 'echo: still here');
  } finally {
    await session.close();
  }
});

test('a call that outlives the call timeout fails with a clear error', async () => {
  const hub = makeHub({ callTimeoutMs: 500 });
  const session = await hub.openSession({
    fromClient: [],
    fromConfig: { faulty: faultyStdio('ok') },
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools } = await session.prepare(never());
    const { gate } = makeGate('auto');
    await assert.rejects(
      runTool(findTool(tools, 'mcp__faulty__slow'), { seconds: 600 }, makeContext(gate)),
      /could not run "slow": no answer within 0\.5s \(the call timeout\)/,
    );
  } finally {
    await session.close();
  }
});

test('a destructive tool asks even in auto mode', async () => {
  const hub = makeHub();
  const session = await hub.openSession({
    fromClient: [],
    fromConfig: { faulty: faultyStdio('ok') },
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools } = await session.prepare(never());
    const { gate, human } = makeGate('auto');
    const result = await runTool(
      findTool(tools, 'mcp__faulty__destroy'),
      { target: 'all' },
      makeContext(gate),
    );
    assert.equal(result.forModel, 'destroyed all');
    assert.equal(human.asked.length, 1);
    assert.equal(human.asked[0]!.dangerous, true);
  } finally {
    await session.close();
  }
});

test('closing the last session stops the server and everything it started (process group)', async () => {
  const hub = makeHub();
  const config = { faulty: faultyStdio('ok') };
  const a = await hub.openSession({ fromClient: [], fromConfig: config, maxToolSchemaShare: 0.5 });
  const b = await hub.openSession({ fromClient: [], fromConfig: config, maxToolSchemaShare: 0.5 });
  assert.equal(hub.serverCount, 1, 'identical configurations share one server');
  const { tools } = await a.prepare(never());
  await b.prepare(never());
  const { gate } = makeGate('auto');
  const spawned = await runTool(findTool(tools, 'mcp__faulty__spawn_grandchild'), {}, makeContext(gate));
  const grandchild = Number(spawned.forModel);
  assert.ok(isAlive(grandchild));
  await a.close();
  // Still used by b: still running.
  const echo = await runTool(
    findTool((await b.prepare(never())).tools, 'mcp__faulty__echo'),
    { message: 'b' },
    makeContext(gate),
  );
  assert.equal(echo.forModel, 'echo: b');
  assert.ok(isAlive(grandchild));
  await b.close();
  assert.equal(hub.serverCount, 0);
  await eventually(() => !isAlive(grandchild), 'the grandchild to be stopped');
});

test('closeAll stops every server', async () => {
  const hub = makeHub();
  const session = await hub.openSession({
    fromClient: [],
    fromConfig: { faulty: faultyStdio('ok') },
    maxToolSchemaShare: 0.5,
  });
  const { tools } = await session.prepare(never());
  const { gate } = makeGate('auto');
  const grandchild = Number(
    (await runTool(findTool(tools, 'mcp__faulty__spawn_grandchild'), {}, makeContext(gate))).forModel,
  );
  await hub.closeAll();
  await eventually(() => !isAlive(grandchild), 'the grandchild to be stopped');
  await assert.rejects(
    runTool(findTool(tools, 'mcp__faulty__echo'), { message: 'x' }, makeContext(gate)),
    /not running/,
  );
});

after(() => undefined);

test(
  'closing a session while its server is still starting stops the server without waiting for the timeout',
  { timeout: 60_000 },
  async () => {
    // A startup timeout far beyond the test's own: only an interrupted start lets this finish.
    const hub = makeHub({ startupTimeoutMs: 600_000 });
    const started = path.join(scratch, 'never-ready-started');
    const silent = faultyStdio('never-ready');
    const session = await hub.openSession({
      fromClient: [],
      fromConfig: { silent: { ...silent, env: { FAULTY_STARTED_FILE: started } } },
      maxToolSchemaShare: 0.5,
    });
    const turn = new AbortController();
    const preparing = session.prepare(turn.signal);
    await eventually(() => existsSync(started), 'the server process to start');
    const pid = Number(readFileSync(started, 'utf8').trim());
    await session.close();
    turn.abort();
    await preparing;
    await eventually(() => !isAlive(pid), 'the starting server to be stopped');
  },
);

test('a server that prints a stray line to stdout still works', async () => {
  const hub = makeHub();
  const session = await hub.openSession({
    fromClient: [],
    fromConfig: { noisy: faultyStdio('noisy') },
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools, notices } = await session.prepare(never());
    assert.deepEqual(notices, []);
    const { gate } = makeGate('auto');
    const result = await runTool(findTool(tools, 'mcp__noisy__echo'), { message: 'fine' }, makeContext(gate));
    assert.equal(result.forModel, 'echo: fine');
  } finally {
    await session.close();
  }
});

test('a server flooding stdout past the line limit is stopped; Cairn and the session carry on', async () => {
  const hub = makeHub();
  const session = await hub.openSession({
    fromClient: [],
    fromConfig: { faulty: faultyStdio('ok') },
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools } = await session.prepare(never());
    const { gate } = makeGate('auto');
    await assert.rejects(
      runTool(findTool(tools, 'mcp__faulty__flood'), {}, makeContext(gate)),
      /MCP server "faulty" could not run "flood": the server stopped during the call \(stopped by Cairn: it wrote an oversized message to stdout\)/,
    );
    await eventually(async () => (await session.prepare(never())).tools.length > 0, 'the restart');
  } finally {
    await session.close();
  }
});
