import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { startScriptedModel } from '../fixtures/model-server.js';
import { AcpHarness } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir } from '../helpers/env.js';

// Parameters the protocol schema lets through but Cairn cannot use get invalid params (-32602),
// never an internal error, and nothing reaches the model.

const INVALID_PARAMS = -32602;
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setup() {
  const model = await startScriptedModel([{ text: 'hello' }]);
  const repo = await tempDir('repo');
  const home = await tempDir('home');
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ terminal: { backend: 'local' } }));
  const env = cleanEnv({
    CAIRN_HOME: home,
    HOME: home,
    OPENAI_BASE_URL: model.url,
    CAIRN_MODEL: 'scripted',
    OPENAI_API_KEY: 'sk-test-not-real',
  });
  const agent = await AcpHarness.start({ env });
  cleanups.push(async () => {
    await agent.close();
    await model.close();
    await fs.rm(repo, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });
  await agent.request('initialize', { protocolVersion: 1, clientCapabilities: {} });
  return { agent, model, repo };
}

async function errorOf(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: number; message: string };
  }
  assert.fail('expected an error');
}

test('a 10 MB cwd is invalid params with a short message', async () => {
  const { agent } = await setup();
  const err = await errorOf(agent.newSession('/' + 'a'.repeat(10 * 1024 * 1024)));
  assert.equal(err.code, INVALID_PARAMS);
  assert.ok(err.message.length < 1000, 'the path is not echoed whole');
});

test('an empty prompt is invalid params and never reaches the model', async () => {
  const { agent, model, repo } = await setup();
  const { sessionId } = await agent.newSession(repo);
  for (const prompt of [[], [{ type: 'text' as const, text: '  \n ' }]]) {
    const err = await errorOf(agent.request('session/prompt', { sessionId, prompt }));
    assert.equal(err.code, INVALID_PARAMS);
  }
  assert.equal(model.requests.length, 0);
  await agent.prompt(sessionId, 'hi');
  assert.equal(model.requests.length, 1, 'the session still works');
});

test('image data that is not base64 is invalid params and never reaches the model', async () => {
  const { agent, model, repo } = await setup();
  const { sessionId } = await agent.newSession(repo);
  for (const data of ['not base64!', 'abc', '']) {
    const err = await errorOf(
      agent.request('session/prompt', {
        sessionId,
        prompt: [
          { type: 'text', text: 'look' },
          { type: 'image', mimeType: 'image/png', data },
        ],
      }),
    );
    assert.equal(err.code, INVALID_PARAMS, data);
  }
  assert.equal(model.requests.length, 0);
});
