import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  neutralWorkingFolder,
  repositoryProgram,
  searchPathOutside,
  withoutRepository,
} from '../../../agent-server/mcp/launch-policy.js';
import { mergeServers } from '../../../agent-server/mcp/server-set.js';

const repo = '/work/victim';

test('PATH and module search paths lose the repository and relative entries', () => {
  assert.equal(
    searchPathOutside(`.::${repo}/node_modules/.bin:/usr/bin:${repo}/../victim/bin:bin:/bin`, [repo]),
    '/usr/bin:/bin',
  );
  assert.deepEqual(
    withoutRepository(
      {
        PATH: `${repo}/node_modules/.bin:/usr/bin`,
        PYTHONPATH: repo,
        NODE_OPTIONS: `--require ${repo}/x.js`,
        TOKEN: 't',
      },
      [repo],
    ),
    { PATH: '/usr/bin', PYTHONPATH: '', TOKEN: 't' },
  );
});

test('a client server running a repo script or a relative program is refused; others are not', () => {
  assert.equal(repositoryProgram({ command: `${repo}/bin/server` }, [repo]), `${repo}/bin/server`);
  assert.equal(
    repositoryProgram({ command: 'node', args: ['--inspect', `${repo}/s.js`] }, [repo]),
    `${repo}/s.js`,
  );
  assert.equal(repositoryProgram({ command: 'python3', args: ['./server.py'] }, [repo]), './server.py');
  assert.equal(repositoryProgram({ command: './node_modules/.bin/x' }, [repo]), './node_modules/.bin/x');
  assert.equal(repositoryProgram({ command: 'npx', args: ['-y', '@scope/server', repo] }, [repo]), undefined);
  assert.equal(repositoryProgram({ command: 'node', args: ['/opt/mcp/server.js', repo] }, [repo]), undefined);
});

test('mergeServers: client servers from the repo are skipped with a notice, client env is cleaned, config env is kept', () => {
  const { servers, notices } = mergeServers(
    [
      { name: 'proj', command: 'node', args: [`${repo}/mcp.js`], env: [] },
      { name: 'py', command: 'python3', args: ['-m', 'srv'], env: [{ name: 'PYTHONPATH', value: repo }] },
    ],
    { mine: { command: 'python3', args: ['-m', 'srv'], env: { PYTHONPATH: repo } } },
    repo,
  );
  assert.deepEqual(
    servers.map((s) => s.name),
    ['py', 'mine'],
  );
  assert.match(notices.join('\n'), /"proj" from the client was not started/);
  const env = (name: string) => {
    const config = servers.find((s) => s.name === name)!.config;
    return 'command' in config ? config.env : {};
  };
  assert.equal(env('py').PYTHONPATH, '');
  assert.equal(env('mine').PYTHONPATH, repo, "the user's own config is taken as written");
});

test('mergeServers: the session’s additional directories are as untrusted as the workspace', () => {
  const extra = '/work/other-root';
  const { servers, notices } = mergeServers(
    [
      { name: 'extra', command: `${extra}/bin/srv`, args: [], env: [] },
      {
        name: 'py',
        command: 'python3',
        args: ['-m', 'srv'],
        env: [{ name: 'PATH', value: `${extra}/bin:/usr/bin` }],
      },
    ],
    {},
    repo,
    [extra],
  );
  assert.match(notices.join('\n'), /"extra" from the client was not started/);
  assert.deepEqual(servers[0]!.repositoryRoots, [repo, extra]);
  const config = servers[0]!.config;
  assert.equal('command' in config ? config.env?.PATH : undefined, '/usr/bin');
});

test('servers without a cwd run in an empty folder of Cairn’s home', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-mcp-home-'));
  try {
    const dir = neutralWorkingFolder(home);
    assert.equal(dir, path.join(home, 'mcp', 'run'));
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});
