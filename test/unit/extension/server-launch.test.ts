import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findConfiguredServer, serverLaunch } from '../../../extension/server-launch.js';
import { describeExit } from '../../../extension/agent-process.js';

test('the server runs as Node from the extension folder, with settings and key in its environment', () => {
  const launch = serverLaunch({
    execPath: '/opt/code/code',
    extensionPath: '/ext',
    cwd: '/w',
    baseEnv: { PATH: '/bin', OPENAI_API_KEY: 'inherited', VSCODE_PID: '1' },
    settings: { modelPreset: 'ollama', baseUrl: ' http://x/v1 ', model: 'm' },
    apiKey: 'sk-secret',
    ripgrepPath: '/opt/code/rg',
  });
  assert.equal(launch.command, '/opt/code/code');
  assert.equal(launch.env.CAIRN_RIPGREP_PATH, '/opt/code/rg');
  assert.deepEqual(launch.args, ['/ext/dist/cairn.js', 'acp']);
  assert.equal(launch.cwd, '/w');
  assert.equal(launch.env.ELECTRON_RUN_AS_NODE, '1');
  assert.equal(launch.env.OPENAI_API_KEY, 'sk-secret');
  assert.equal(launch.env.OPENAI_BASE_URL, 'http://x/v1');
  assert.equal(launch.env.CAIRN_MODEL, 'm');
  assert.equal(launch.env.CAIRN_MODEL_PRESET, 'ollama');
  assert.equal(launch.env.VSCODE_PID, undefined);
  assert.ok(!launch.args.join(' ').includes('sk-secret'));
});

test('empty settings leave the config file in charge', () => {
  const launch = serverLaunch({
    execPath: 'node',
    extensionPath: '/ext',
    cwd: '/w',
    baseEnv: {},
    settings: { modelPreset: '', baseUrl: '', model: '' },
    apiKey: undefined,
  });
  assert.equal(launch.env.OPENAI_BASE_URL, undefined);
  assert.equal(launch.env.CAIRN_MODEL, undefined);
  assert.equal(launch.env.OPENAI_API_KEY, undefined);
});

test('exit messages say what happened and what to do', () => {
  assert.match(describeExit(1, null, false).message, /crashed \(exit code 1\).*Restart/);
  assert.match(describeExit(null, 'SIGKILL', false).message, /killed \(SIGKILL\)/);
  assert.match(describeExit(0, null, true).message, /stopped/);
  assert.match(describeExit(null, null, false, new Error('ENOENT')).message, /could not start \(ENOENT\)/);
});

test('the model preset setting reaches the server’s model resolution', async () => {
  const { resolveModel } = await import('../../../agent-server/model/resolve.js');
  const { ModelConfigSchema } = await import('../../../shared/config.js');
  const launch = serverLaunch({
    execPath: 'node',
    extensionPath: '/ext',
    cwd: '/w',
    baseEnv: {},
    settings: { modelPreset: 'ollama', baseUrl: '', model: 'qwen2.5-coder' },
    apiKey: undefined,
  });
  const resolved = resolveModel(ModelConfigSchema.parse({}), launch.env);
  assert.ok(resolved.ok);
  assert.equal(resolved.ok && resolved.model.baseUrl, 'http://127.0.0.1:11434/v1');
  assert.equal(resolved.ok && resolved.model.model, 'qwen2.5-coder');
});

/** A folder with an executable `cairn`, a non-executable `cairn-notexec` and a `cairn.js`. */
function fakeInstall(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-server-path-'));
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'cairn'), '#!/bin/sh\n');
  chmodSync(join(dir, 'bin', 'cairn'), 0o755);
  writeFileSync(join(dir, 'bin', 'cairn-notexec'), '#!/bin/sh\n');
  chmodSync(join(dir, 'bin', 'cairn-notexec'), 0o644);
  writeFileSync(join(dir, 'cairn.js'), '');
  return dir;
}

const launchWith = (serverPath: string, PATH: string) =>
  serverLaunch({
    execPath: '/opt/code/code',
    extensionPath: '/ext',
    cwd: '/w',
    baseEnv: { PATH },
    settings: { modelPreset: '', baseUrl: '', model: '', serverPath },
    apiKey: 'sk-secret',
  });

test('without cairn.server.path the bundled server runs, and the launch says so', () => {
  const launch = launchWith('', '/nowhere');
  assert.deepEqual(launch.args, ['/ext/dist/cairn.js', 'acp']);
  assert.equal(launch.server, 'bundled server /ext/dist/cairn.js');
});

test('cairn.server.path: a name is found on PATH, an absolute path runs as given, a .js runs with Node', () => {
  const dir = fakeInstall();
  try {
    const onPath = launchWith('cairn', `relative/bin:${join(dir, 'bin')}`);
    assert.equal(onPath.command, join(dir, 'bin', 'cairn'));
    assert.deepEqual(onPath.args, ['acp']);
    assert.equal(onPath.server, `cairn.server.path: ${join(dir, 'bin', 'cairn')}`);
    assert.equal(onPath.env.OPENAI_API_KEY, 'sk-secret');

    const absolute = launchWith(join(dir, 'bin', 'cairn'), '');
    assert.equal(absolute.command, join(dir, 'bin', 'cairn'));

    const script = launchWith(join(dir, 'cairn.js'), '');
    assert.equal(script.command, '/opt/code/code');
    assert.deepEqual(script.args, [join(dir, 'cairn.js'), 'acp']);
    assert.equal(script.env.ELECTRON_RUN_AS_NODE, '1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cairn.server.path that finds nothing runnable says what to change, never falls back silently', () => {
  const dir = fakeInstall();
  try {
    assert.throws(
      () => launchWith('cairn', '/nowhere'),
      /cairn\.server\.path is "cairn".*PATH.*clear the setting/,
    );
    assert.throws(() => launchWith(join(dir, 'missing'), ''), /no such file/);
    assert.equal(findConfiguredServer('cairn-notexec', join(dir, 'bin')), null, 'not executable');
    assert.equal(findConfiguredServer(join(dir, 'bin'), ''), null, 'a folder');
    // Relative paths and relative PATH entries depend on the folder the editor started in.
    assert.equal(findConfiguredServer('bin/cairn', join(dir, 'bin')), null);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      assert.equal(findConfiguredServer('cairn', 'bin'), null);
    } finally {
      process.chdir(cwd);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cairn.server.path is a machine setting: a repository cannot choose the program', () => {
  const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../../package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { scope?: string }> } };
  };
  assert.equal(manifest.contributes.configuration.properties['cairn.server.path']?.scope, 'machine');
});
