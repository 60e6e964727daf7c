import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { FileSkillUsage } from '../../../agent-server/skills/index.js';
import { tempDir } from './helpers.js';

test('usage survives a restart and counts concurrent uses without losing any', async () => {
  const home = await tempDir('cairn-home-');
  const usage = new FileSkillUsage(home);
  await Promise.all(Array.from({ length: 20 }, () => usage.recordUse('project:x:deploy')));
  const again = new FileSkillUsage(home);
  assert.equal((await again.get('project:x:deploy'))?.views, 20);
  assert.equal(await again.get('user:other'), undefined);
  const onDisk = JSON.parse(await fs.readFile(path.join(home, 'skill-usage.json'), 'utf8'));
  assert.equal(onDisk.version, 1);
});

test('a damaged usage file is replaced instead of failing the tool that records a view', async () => {
  const home = await tempDir('cairn-home-');
  await fs.writeFile(path.join(home, 'skill-usage.json'), '{not json');
  const usage = new FileSkillUsage(home);
  const logged: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    await usage.recordUse('user:deploy', new Date('2026-01-02T03:04:05Z'));
  } finally {
    console.error = original;
  }
  assert.deepEqual(await usage.get('user:deploy'), { views: 1, lastUsed: '2026-01-02T03:04:05.000Z' });
  assert.equal(logged.length, 1);
});
