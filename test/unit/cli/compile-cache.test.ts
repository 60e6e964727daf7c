import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as nodeModule from 'node:module';
import * as path from 'node:path';
import { enableCompileCache } from '../../../agent-server/cli/compile-cache.js';
import { tempDir } from '../../helpers/env.js';

// V8's compile cache (Node 22.1+) goes to Cairn's own home, private; where the runtime has no
// such cache, nothing is created.

const hasCompileCache =
  typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';

test('the compile cache lives in Cairn home, made private; nothing when the runtime has none or it is turned off', async (t) => {
  const root = await tempDir('compile-cache');
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const home = path.join(root, 'cairn-home');

  assert.equal(enableCompileCache({ CAIRN_HOME: home, NODE_DISABLE_COMPILE_CACHE: '1' }), undefined);
  assert.equal(existsSync(home), false, 'turned off, yet Cairn home was created');

  const directory = enableCompileCache({ CAIRN_HOME: home });
  if (!hasCompileCache) {
    assert.equal(directory, undefined);
    assert.equal(existsSync(home), false, 'no compile cache here, yet Cairn home was created');
    return;
  }
  assert.equal(directory, path.join(home, 'cache', 'node-compile'));
  assert.equal(statSync(home).mode & 0o777, 0o700);
});
