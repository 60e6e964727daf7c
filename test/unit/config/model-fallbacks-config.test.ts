import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError, loadConfig } from '../../../agent-server/config/load.js';
import { cleanEnv, tempDir } from '../../helpers/env.js';

async function load(config: unknown) {
  const home = await tempDir('config-fallbacks');
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify(config));
  try {
    return loadConfig(cleanEnv({ CAIRN_HOME: home }));
  } finally {
    await fs.rm(home, { recursive: true, force: true });
  }
}

async function problems(config: unknown): Promise<string> {
  try {
    await load(config);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

test('model.fallbacks and model.prices load, defaulting to none', async () => {
  const { config } = await load({
    model: {
      fallbacks: [
        { model: 'gpt-4.1-mini' },
        { preset: 'openrouter', model: 'qwen/qwen3-coder', apiKeyEnv: 'OR_KEY' },
      ],
      prices: { 'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 } },
    },
  });
  assert.equal(config.model.fallbacks.length, 2);
  assert.equal(config.model.prices['gpt-4.1']?.outputPerMTok, 8);
  const plain = await load({});
  assert.deepEqual(plain.config.model.fallbacks, []);
  assert.deepEqual(plain.config.model.prices, {});
});

test('mistakes in fallbacks are named by place, with what was meant', async () => {
  const message = await problems({
    model: {
      fallbacks: [
        { modle: 'x' },
        { preset: 'openruter', model: 'y' },
        { preset: 'custom', model: 'z' },
        { baseUrl: 'localhost:8080/v1', model: 'w' },
      ],
    },
  });
  assert.match(message, /model\.fallbacks\.0\.modle: unknown key; did you mean "model"\?/);
  assert.match(message, /model\.fallbacks\.0\.model: required/);
  assert.match(
    message,
    /model\.fallbacks\.1\.preset: "openruter" is not one of .*did you mean "openrouter"\?/,
  );
  assert.match(message, /model\.fallbacks\.2: preset "custom" needs a "baseUrl"/);
  assert.match(message, /model\.fallbacks\.3\.baseUrl: must be an http:\/\/ or https:\/\/ URL/);
  assert.match(await problems({ model: { fallbacks: { model: 'x' } } }), /model\.fallbacks: expected a list/);
  assert.match(
    await problems({ model: { prices: { m: { inputPerMTok: -1, outputPerMTok: 1 } } } }),
    /model\.prices\.m\.inputPerMTok/,
  );
});

test('a key pasted where its variable name belongs is never echoed', async () => {
  const key = 'sk-proj-abcdefghijklmnop1234';
  const message = await problems({ model: { fallbacks: [{ model: 'x', apiKeyEnv: key }] } });
  assert.match(
    message,
    /model\.fallbacks\.0\.apiKeyEnv: must be an environment variable name \(the value is not shown/,
  );
  assert.ok(!message.includes(key));
});
