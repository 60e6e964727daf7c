import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as os from 'node:os';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { runMemoryCommand } from '../../../agent-server/cli/memory-command.js';
import { MemoryStore } from '../../../agent-server/memory/memory-store.js';
import { MemoryUsage } from '../../../agent-server/memory/memory-usage.js';

async function setup() {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'cairn-memcli-'));
  const home = path.join(tmp, 'home');
  const cwd = path.join(tmp, 'ws');
  await mkdir(cwd, { recursive: true });
  const store = new MemoryStore(home, cwd, { memoryCharLimit: 2200, userCharLimit: 1400 });
  const answers: boolean[] = [];
  const asked: string[] = [];
  async function run(argv: string[]) {
    let out = '';
    let err = '';
    const code = await runMemoryCommand(argv, {
      out: (s) => (out += s),
      err: (s) => (err += s),
      cwd,
      env: { CAIRN_HOME: home },
      confirm: async (q) => (asked.push(q), answers.shift() ?? false),
    });
    return { code, out, err };
  }
  return { tmp, home, store, run, answers, asked, done: () => rm(tmp, { recursive: true, force: true }) };
}

const origin = { sessionId: 'sess-7', date: '2025-06-01T00:00:00Z', project: '/p', prompt: 'set up CI' };

test('cairn memory list --json shows each entry with its provenance, or none for hand-written ones', async () => {
  const s = await setup();
  await s.store.edit('project', 'memory', { action: 'add', content: 'CI runs on Node 20.' }, origin);
  await s.store.edit('global', 'user', { action: 'add', content: 'Likes terse replies.' });
  const { code, out } = await s.run(['list', '--json']);
  assert.equal(code, 0);
  const listed = JSON.parse(out) as {
    entries: { id: string; text: string; provenance?: { sessionId: string } }[];
  };
  assert.deepEqual(
    listed.entries.map((e) => [e.id, e.text, e.provenance?.sessionId ?? 'by hand']),
    [
      ['global/user/1', 'Likes terse replies.', 'by hand'],
      ['project/memory/1', 'CI runs on Node 20.', 'sess-7'],
    ],
  );
  const plain = await s.run([]);
  assert.match(
    plain.out,
    /project\/memory\/1 +CI runs on Node 20\.\n +from session sess-7, 2025-06-01, \/p: "set up CI"/,
  );
  await s.done();
});

test('rm asks; no keeps the entry, yes forgets it; restore brings it back', async () => {
  const s = await setup();
  await s.store.edit('global', 'memory', { action: 'add', content: 'Deploy with make ship.' }, origin);
  s.answers.push(false);
  const kept = await s.run(['rm', 'global/memory/1']);
  assert.equal(kept.code, 1);
  assert.equal((await s.store.entries()).length, 1);
  s.answers.push(true);
  const gone = await s.run(['rm', 'global/memory/1']);
  assert.equal(gone.code, 0, gone.err);
  assert.equal((await s.store.entries()).length, 0);
  assert.deepEqual(s.asked, ['Forget this global entry?', 'Forget this global entry?']);

  const history = JSON.parse((await s.run(['history', 'global', 'memory', '--json'])).out) as {
    versions: { number: number; message: string }[];
  };
  assert.deepEqual(
    history.versions.map((v) => v.number),
    [1, 2],
  );
  const restored = await s.run(['restore', 'global', 'memory', '1', '--yes']);
  assert.equal(restored.code, 0, restored.err);
  const back = await s.store.entries();
  assert.deepEqual(
    back.map((e) => [e.text, e.provenance?.sessionId]),
    [['Deploy with make ship.', 'sess-7']],
  );
  assert.equal((await s.run(['rm', 'global/memory/9', '--yes'])).code, 1);
  await s.done();
});

test('list shows how many sessions used each entry, when last, and which are stale', async () => {
  const s = await setup();
  await s.store.edit('global', 'memory', { action: 'add', content: 'Old and unused.' }, origin);
  await s.store.edit('global', 'memory', { action: 'add', content: 'Used often.' }, origin);
  await s.store.edit('project', 'memory', { action: 'add', content: 'Fresh, by hand.' });
  const usage = new MemoryUsage(s.home);
  const [, used] = await s.store.entries();
  await usage.recordLoaded([{ file: used!.path, entry: used!.text }]);
  await usage.recordLoaded([{ file: used!.path, entry: used!.text }]);
  const listed = JSON.parse((await s.run(['list', '--json'])).out) as {
    entries: { text: string; uses: number; lastUsed: string | null; stale: boolean }[];
  };
  assert.deepEqual(
    listed.entries.map((e) => [e.text, e.uses, e.lastUsed !== null, e.stale]),
    [
      ['Old and unused.', 0, false, true], // written 2025-06-01, never in a prompt since
      ['Used often.', 2, true, false],
      ['Fresh, by hand.', 0, false, false],
    ],
  );
  const plain = await s.run(['list']);
  assert.match(plain.out, /Used often\.\n.*; used in 2 sessions, last \d{4}-\d\d-\d\d\n/);
  assert.match(plain.out, /Old and unused\.\n.*; not used yet \(stale\)/);
  assert.equal((await s.run(['list', '--stale-days', 'x'])).code, 2);
  await s.done();
});
