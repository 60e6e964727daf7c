import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { runHistoryCommand } from '../../../agent-server/cli/history-command.js';
import { JournalHistoryStore } from '../../../agent-server/history/index.js';

test('cairn history stats lists projects; prune uses history.keepDays and refuses without it', async (t) => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'cairn-history-cli-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const env = { CAIRN_HOME: home };
  const store = await JournalHistoryStore.open(path.join(home, 'history'));
  const old = Date.now() - 100 * 86_400_000;
  await store.createSession({ id: 'old', cwd: '/proj/a', createdAt: old });
  await store.append('old', { type: 'message', message: { role: 'user', content: 'hello there' }, at: old });
  await store.createSession({ id: 'new', cwd: '/proj/b' });
  await store.close();

  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) };
  assert.equal(await runHistoryCommand(['stats'], io, env), 0);
  assert.match(out.join('\n'), /2 sessions, 1 messages/);
  assert.match(out.join('\n'), /\/proj\/a: 1 sessions, 1 messages/);

  assert.equal(await runHistoryCommand(['prune'], io, env), 2);
  assert.match(err.join('\n'), /keepDays is not set/);
  await writeFile(path.join(home, 'config.json'), JSON.stringify({ history: { keepDays: 30 } }));
  assert.equal(await runHistoryCommand(['prune'], io, env), 0);
  assert.match(out.at(-1)!, /Deleted 1 session last active more than 30 days ago/);
  assert.equal(await runHistoryCommand(['prune', '--keep-days', 'x'], io, env), 2);
});
