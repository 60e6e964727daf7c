import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { JournalHistoryStore, type HistoryRecord } from '../../../agent-server/history/index.js';
import { createSessionSearchTool } from '../../../agent-server/tools/session-search.js';
import { ToolError } from '../../../agent-server/tools/types.js';
import { toolContext } from '../../helpers/tool-context.js';

const user = (content: string, at: number): HistoryRecord => ({
  type: 'message',
  message: { role: 'user', content },
  at,
});
const assistant = (content: string, at: number): HistoryRecord => ({
  type: 'message',
  message: { role: 'assistant', content },
  at,
});
const DAY = 86_400_000;
const T0 = Date.parse('2026-05-01T09:00:00Z');

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const history = await JournalHistoryStore.inMemory();
  t.after(() => history.close());
  await history.createSession({ id: 'old', cwd: '/work/web', title: 'Choose a queue', createdAt: T0 });
  await history.append('old', user('Should we use RabbitMQ or Redis streams for the job queue?', T0));
  await history.append('old', assistant('Let me compare throughput and ops cost.', T0 + 1000));
  await history.append('old', {
    type: 'message',
    message: {
      role: 'tool',
      toolCallId: 'c',
      name: 'run_command',
      content: 'bench: redis 90k/s, rabbit 40k/s',
    },
    at: T0 + 2000,
  });
  await history.append(
    'old',
    assistant('We decided: Redis streams for the job queue; RabbitMQ is overkill.', T0 + 3000),
  );
  await history.append('old', user('Great, write that down in the ADR.', T0 + 4000));
  for (let i = 0; i < 30; i++)
    await history.append('old', user(`follow-up ${i} about logging`, T0 + 5000 + i));
  await history.createSession({
    id: 'now',
    cwd: '/work/web',
    title: 'Current work',
    createdAt: T0 + 7 * DAY,
  });
  await history.append('now', user('what did we decide about the queue last week?', T0 + 7 * DAY));
  // Another project's session: not reached unless the call asks for every project.
  await history.createSession({ id: 'api', cwd: '/work/api', title: 'API queue', createdAt: T0 + DAY });
  await history.append('api', user('The queue password for the API is hunter2.', T0 + DAY));
  const tool = createSessionSearchTool(history, () => 'now');
  const ctx = toolContext('/work/web', { mode: 'auto', answer: 'allow_once' });
  const call = async (input: unknown) => (await tool.run(tool.inputSchema.parse(input), ctx)).forModel;
  return { history, tool, call, ctx };
}

test('the tool contract: name, kind, read-only, parameters', async (t) => {
  const { tool } = await setup(t);
  assert.equal(tool.name, 'session_search');
  assert.equal(tool.kind, 'search');
  assert.equal(tool.readOnly, true);
  const schema = z.toJSONSchema(tool.inputSchema) as {
    properties: Record<string, unknown>;
    required?: string[];
  };
  assert.deepEqual(Object.keys(schema.properties).sort(), [
    'around',
    'limit',
    'project',
    'query',
    'role',
    'session_id',
    'since',
    'until',
  ]);
  assert.deepEqual(schema.required ?? [], []);
});

test('discovery: the decision ranks first, grouped by session, with neighbouring messages', async (t) => {
  const { call } = await setup(t);
  const out = await call({ query: 'what did we decide about the job queue' });
  const lines = out.split('\n');
  const firstHit = lines.find((l) => /^\s+#\d+ /.test(l))!;
  assert.match(
    firstHit,
    /#3 assistant, 2026-05-01 09:00: We \[decided\]: Redis streams for the \[job\] \[queue\]/,
  );
  assert.match(out, /Session old: "Choose a queue" in \/work\/web/);
  assert.match(out, /before #2: bench: redis 90k\/s/);
  assert.match(out, /after #4: Great, write that down in the ADR\./);
  // The current session is searchable too, and marked, but the question being asked now
  // (shorter, so a higher raw score) does not outrank the answer from last week.
  assert.match(out, /Session now \(this session\)/);
  const again = await call({ query: 'decide queue' });
  assert.match(
    again.split('\n').find((l) => /^\s+#\d+ /.test(l))!,
    /#3 assistant/,
  );
  assert.match(again, /#0 user, 2026-05-08 09:00: what did we \[decide\] about the \[queue\]/);
});

test('filters: role, dates and the current project', async (t) => {
  const { call } = await setup(t);
  assert.doesNotMatch(await call({ query: 'queue', role: 'user' }), /#3 assistant/);
  assert.match(await call({ query: 'queue', since: '2026-05-05' }), /Session now/);
  assert.doesNotMatch(await call({ query: 'queue', since: '2026-05-05' }), /Session old/);
  assert.match(await call({ query: 'queue', project: 'current' }), /Session old/);
  assert.doesNotMatch(await call({ query: 'queue' }), /Session api|hunter2/);
  assert.match(await call({ query: 'zanzibar' }), /No past messages match/);
  await assert.rejects(call({ query: 'queue', since: 'last tuesday' }), ToolError);
});

test('read: a session’s start and end; scroll: the messages around a hit', async (t) => {
  const { call } = await setup(t);
  const read = await call({ session_id: 'old' });
  assert.match(read, /Start:\n#0 user: Should we use RabbitMQ/);
  assert.match(read, /End:[\s\S]*#34 user: follow-up 29 about logging/);
  assert.doesNotMatch(read, /follow-up 10 about/);
  const around = await call({ session_id: 'old', around: 3, limit: 1 });
  assert.match(around, />>#3 assistant/);
  assert.match(around, /#2 tool run_command/);
  assert.match(around, /#4 user/);
  assert.doesNotMatch(around, /#1 assistant|#5 user/);
  await assert.rejects(call({ session_id: 'missing' }), /No session "missing"/);
});

test('browse: recent sessions, newest first', async (t) => {
  const { call } = await setup(t);
  const out = await call({});
  assert.ok(out.indexOf('Session now') < out.indexOf('Session old'));
  assert.match(out, /"Choose a queue" in \/work\/web; 35 records/);
  assert.doesNotMatch(out, /Session api/);
});

test('every project: only with project "all", which asks the user each time unless answered always', async (t) => {
  const { call, ctx } = await setup(t);
  // Another project's session is not readable by id from here.
  await assert.rejects(call({ session_id: 'api' }), /No session "api" in this project/);
  const all = await call({ query: 'queue password', project: 'all' });
  assert.match(all, /Session api: "API queue" in \/work\/api/);
  assert.match(await call({ session_id: 'api', project: 'all' }), /hunter2/);
  assert.deepEqual(
    ctx.asked.map((r) => [r.ruleKey, r.dangerous]),
    [
      ['session_search:all-projects', true],
      ['session_search:all-projects', true],
    ],
  );
});
