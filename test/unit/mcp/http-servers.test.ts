import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { MCP_CAPABILITIES, type AcpMcpServer } from '../../../agent-server/mcp/index.js';
import { startEverythingHttp, type RunningHttpServer } from '../../fixtures/mcp/servers.js';
import { eventually, findTool, makeContext, makeGate, makeHub, runTool } from './harness.js';

const hub = makeHub();
let streamable: RunningHttpServer;
let sse: RunningHttpServer;

before(async () => {
  [streamable, sse] = await Promise.all([startEverythingHttp('streamableHttp'), startEverythingHttp('sse')]);
});
after(async () => {
  await hub.closeAll();
  await Promise.all([streamable?.close(), sse?.close()]);
});

test('both remote transports are advertised', () => {
  assert.deepEqual(MCP_CAPABILITIES, { http: true, sse: true });
});

for (const kind of ['http', 'sse'] as const) {
  test(`server-everything over ${kind}: lists tools, calls echo, returns an image, reports errors, cancels`, async () => {
    const server: AcpMcpServer = {
      type: kind,
      name: 'remote',
      url: kind === 'http' ? streamable.url : sse.url,
      headers: [{ name: 'X-Test', value: 'cairn' }],
    };
    const session = await hub.openSession({ fromClient: [server], fromConfig: {}, maxToolSchemaShare: 0.5 });
    try {
      const { tools, notices } = await session.prepare(new AbortController().signal);
      assert.deepEqual(notices, []);
      assert.ok(tools.length >= 10, tools.map((t) => t.name).join(', '));
      const { gate } = makeGate('ask');
      const echo = await runTool(
        findTool(tools, 'mcp__remote__echo'),
        { message: `over ${kind}` },
        makeContext(gate),
      );
      assert.equal(echo.forModel, `Echo: over ${kind}`);
      const image = await runTool(findTool(tools, 'mcp__remote__get-tiny-image'), {}, makeContext(gate));
      assert.ok(image.content?.some((c) => c.type === 'image' && c.mimeType === 'image/png'));
      // A tool error over the wire reaches the model as an error.
      await assert.rejects(
        runTool(findTool(tools, 'mcp__remote__get-sum'), { a: 'x' }, makeContext(gate)),
        (error: Error) => error.name === 'ToolError',
      );
      // Cancelling a long call ends it now (the server would take ten minutes).
      const turn = new AbortController();
      const running = makeContext(gate, turn.signal);
      const long = runTool(
        findTool(tools, 'mcp__remote__trigger-long-running-operation'),
        { duration: 600, steps: 600 },
        running,
      );
      // Cancel once the server has reported progress, so the call is surely running there.
      await eventually(() => running.progressed.length > 0, 'progress from the long call');
      turn.abort();
      await assert.rejects(long);
      assert.equal(
        (await runTool(findTool(tools, 'mcp__remote__echo'), { message: 'after' }, makeContext(gate)))
          .forModel,
        'Echo: after',
      );
      assert.match(
        session.status().join('\n'),
        new RegExp(`MCP remote \\(${kind}, from the client\\): ready`),
      );
    } finally {
      await session.close();
    }
  });
}

test('configured headers are sent to an HTTP server', async () => {
  const seen: http.IncomingHttpHeaders[] = [];
  const probe = http.createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(401).end('no');
  });
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  const session = await hub.openSession({
    fromClient: [],
    fromConfig: {
      probe: { type: 'http', url: `http://127.0.0.1:${port}/mcp`, headers: { Authorization: 'Bearer t0k' } },
    },
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools, notices } = await session.prepare(new AbortController().signal);
    assert.deepEqual(tools, []);
    assert.match(notices[0]!, /MCP server "probe" failed to start: .*401/);
    assert.equal(seen[0]?.authorization, 'Bearer t0k');
  } finally {
    await session.close();
    probe.close();
  }
});

test('an unreachable URL is a notice, not a failure of the session', async () => {
  const session = await hub.openSession({
    fromClient: [{ type: 'http', name: 'gone', url: 'http://127.0.0.1:9/mcp', headers: [] }],
    fromConfig: {},
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools, notices } = await session.prepare(new AbortController().signal);
    assert.deepEqual(tools, []);
    assert.match(notices[0]!, /^MCP server "gone" failed to start: /);
  } finally {
    await session.close();
  }
});

test('a remote server that restarts is reconnected: one call fails, later ones work', async () => {
  let server = await startEverythingHttp('streamableHttp');
  const session = await hub.openSession({
    fromClient: [{ type: 'http', name: 'flaky', url: server.url, headers: [] }],
    fromConfig: {},
    maxToolSchemaShare: 0.5,
  });
  try {
    const { tools } = await session.prepare(new AbortController().signal);
    const { gate } = makeGate('auto');
    const echo = findTool(tools, 'mcp__flaky__echo');
    assert.equal((await runTool(echo, { message: 'one' }, makeContext(gate))).forModel, 'Echo: one');
    await server.close();
    server = await startEverythingHttp('streamableHttp', server.port);
    // The old session id means nothing to the new process.
    await assert.rejects(
      runTool(echo, { message: 'two' }, makeContext(gate)),
      /could not run "echo": the server could not be reached/,
    );
    let notices: string[] = [];
    await eventually(async () => {
      const turn = await session.prepare(new AbortController().signal);
      notices.push(...turn.notices);
      return turn.tools.length > 0;
    }, 'the reconnection');
    assert.match(notices[0]!, /^MCP server "flaky" lost its connection/);
    const again = findTool((await session.prepare(new AbortController().signal)).tools, 'mcp__flaky__echo');
    assert.equal((await runTool(again, { message: 'three' }, makeContext(gate))).forModel, 'Echo: three');
  } finally {
    await session.close();
    await server.close();
  }
});
