import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { AcpHarness } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir } from '../helpers/env.js';

// `cairn acp` keeps config.json as last validated in <home>/cache/config.json, so an unchanged
// file needs no schema library at start. Whatever the cache holds, what the user wrote wins.

async function modeAtStart(home: string, repo: string): Promise<string> {
  const env = cleanEnv({ CAIRN_HOME: home, HOME: home, OPENAI_API_KEY: 'sk-test' });
  const h = await AcpHarness.start({ env, cwd: repo });
  try {
    const s = await h.newSession(repo);
    return s.modes!.currentModeId;
  } finally {
    await h.close();
  }
}

test('an edited config.json takes effect at the next start; a broken one is reported, never an old copy', async (t) => {
  const home = await tempDir('config-cache-home');
  const repo = await tempDir('config-cache-repo');
  t.after(() => Promise.all([home, repo].map((d) => fs.rm(d, { recursive: true, force: true }))));
  const config = path.join(home, 'config.json');
  const cache = path.join(home, 'cache', 'config.json');
  const write = (agent: object) =>
    fs.writeFile(config, JSON.stringify({ terminal: { backend: 'local' }, agent }));

  await write({ defaultMode: 'plan' });
  assert.equal(await modeAtStart(home, repo), 'plan');
  assert.ok(existsSync(cache), 'the validated config was not kept');
  assert.equal(statSync(cache).mode & 0o777, 0o600);
  // Unchanged: the same answer (now from the cache).
  assert.equal(await modeAtStart(home, repo), 'plan');

  await write({ defaultMode: 'auto' });
  assert.equal(await modeAtStart(home, repo), 'auto');

  await write({ defaultMode: 'sideways' });
  const env = cleanEnv({ CAIRN_HOME: home, HOME: home, OPENAI_API_KEY: 'sk-test' });
  const h = await AcpHarness.start({ env, cwd: repo });
  try {
    await assert.rejects(h.newSession(repo), (err: { message?: string }) => {
      assert.match(String(err.message), /agent\.defaultMode/);
      return true;
    });
  } finally {
    await h.close();
  }

  // Removed: the defaults, not the last file's settings.
  await fs.rm(config);
  assert.equal(await modeAtStart(home, repo), 'ask');
});

test('a cache entry that does not match the file is ignored, whatever it says', async (t) => {
  const home = await tempDir('config-cache-home');
  const repo = await tempDir('config-cache-repo');
  t.after(() => Promise.all([home, repo].map((d) => fs.rm(d, { recursive: true, force: true }))));
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ terminal: { backend: 'local' } }));
  assert.equal(await modeAtStart(home, repo), 'ask');
  const cache = path.join(home, 'cache', 'config.json');
  const kept = JSON.parse(await fs.readFile(cache, 'utf8')) as { key: string; config: { agent: object } };
  // Another key (as for another file or another Cairn): its settings must not be used.
  await fs.writeFile(
    cache,
    JSON.stringify({
      key: `${kept.key}x`,
      config: { ...kept.config, agent: { ...kept.config.agent, defaultMode: 'auto' } },
    }),
  );
  assert.equal(await modeAtStart(home, repo), 'ask');
});
