import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverLaunch } from '../../../extension/server-launch.js';
import { describeExit } from '../../../extension/agent-process.js';

test('the server runs as Node from the extension folder, with settings and key in its environment', () => {
  const launch = serverLaunch({
    execPath: '/opt/code/code',
    extensionPath: '/ext',
    cwd: '/w',
    baseEnv: { PATH: '/bin', OPENAI_API_KEY: 'inherited', VSCODE_PID: '1' },
    settings: { modelPreset: 'ollama', baseUrl: ' http://x/v1 ', model: 'm', extraArgs: [] },
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
    settings: { modelPreset: '', baseUrl: '', model: '', extraArgs: [] },
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
    settings: { modelPreset: 'ollama', baseUrl: '', model: 'qwen2.5-coder', extraArgs: [] },
    apiKey: undefined,
  });
  const resolved = resolveModel(ModelConfigSchema.parse({}), launch.env);
  assert.ok(resolved.ok);
  assert.equal(resolved.ok && resolved.model.baseUrl, 'http://127.0.0.1:11434/v1');
  assert.equal(resolved.ok && resolved.model.model, 'qwen2.5-coder');
});
