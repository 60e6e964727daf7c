import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeServers } from '../../../agent-server/mcp/server-set.js';
import { fromAcpServer, mcpToolName, serverIdentity } from '../../../agent-server/mcp/server-config.js';

test('ACP servers convert to the config shape (env and headers from name/value pairs)', () => {
  assert.deepEqual(
    fromAcpServer({ name: 'fs', command: 'npx', args: ['-y', 'x'], env: [{ name: 'A', value: '1' }] }),
    {
      name: 'fs',
      config: { command: 'npx', args: ['-y', 'x'], env: { A: '1' } },
    },
  );
  assert.deepEqual(
    fromAcpServer({
      type: 'http',
      name: 'web',
      url: 'https://x.test/mcp',
      headers: [{ name: 'Authorization', value: 'Bearer t' }],
    }),
    {
      name: 'web',
      config: { type: 'http', url: 'https://x.test/mcp', headers: { Authorization: 'Bearer t' } },
    },
  );
});

test('identity ignores key order and an explicit stdio type', () => {
  assert.equal(
    serverIdentity({ command: 'a', args: ['1'], env: { X: '1', Y: '2' } }),
    serverIdentity({ type: 'stdio', env: { Y: '2', X: '1' }, args: ['1'], command: 'a' }),
  );
  assert.notEqual(
    serverIdentity({ command: 'a', args: [], env: {} }),
    serverIdentity({ command: 'a', args: ['1'], env: {} }),
  );
});

test('tool names follow mcp__<server>__<tool> and stay valid function names', () => {
  assert.equal(mcpToolName('everything', 'echo'), 'mcp__everything__echo');
  assert.equal(mcpToolName('My Server', 'do.thing'), 'mcp__My_Server__do_thing');
  const long = mcpToolName('s'.repeat(40), 't'.repeat(40));
  assert.equal(long.length, 64);
  assert.match(long, /^[A-Za-z0-9_-]+$/);
  assert.notEqual(long, mcpToolName('s'.repeat(40), `${'t'.repeat(39)}u`));
});

test('client and config servers merge; the same server under the same name is used once', () => {
  const { servers, notices } = mergeServers([{ name: 'fs', command: 'fs-server', args: [], env: [] }], {
    fs: { command: 'fs-server', args: [], env: {} },
    web: { type: 'http', url: 'https://x.test/mcp', headers: {} },
  });
  assert.deepEqual(
    servers.map((s) => [s.name, s.origin]),
    [
      ['fs', 'client'],
      ['web', 'config'],
    ],
  );
  assert.deepEqual(notices, []);
});

test('a name clash between different servers keeps both and says so', () => {
  const { servers, notices } = mergeServers([{ name: 'fs', command: 'client-fs', args: [], env: [] }], {
    fs: { command: 'config-fs', args: [], env: {} },
  });
  assert.deepEqual(
    servers.map((s) => s.name),
    ['fs', 'fs_config'],
  );
  assert.equal(notices.length, 1);
  assert.match(notices[0]!, /Two different MCP servers are named "fs".*"fs_config"/);
});

test('an invalid server is skipped with a notice', () => {
  const { servers, notices } = mergeServers(
    [{ type: 'http', name: 'bad', url: 'not a url', headers: [] }],
    {},
  );
  assert.deepEqual(servers, []);
  assert.match(notices[0]!, /MCP server "bad" from the client is invalid and was skipped/);
});

test('stdio servers run outside the workspace unless Cairn config sets their cwd (${workspace} included)', () => {
  const { servers } = mergeServers(
    [{ name: 'a', command: 'x', args: [], env: [] }],
    {
      b: { command: 'y', args: [], env: {}, cwd: '/srv' },
      c: { type: 'http', url: 'https://x.test/mcp', headers: {} },
      d: { command: 'z', args: [], env: {}, cwd: '${workspace}' },
    },
    '/work/project',
  );
  assert.deepEqual(
    servers.map((s) => ('command' in s.config ? s.config.cwd : 'remote')),
    [undefined, '/srv', 'remote', '/work/project'],
  );
  const elsewhere = mergeServers([{ name: 'a', command: 'x', args: [], env: [] }], {}, '/work/other');
  assert.notEqual(
    servers[0]!.identity,
    elsewhere.servers[0]!.identity,
    'different projects, different processes',
  );
});
