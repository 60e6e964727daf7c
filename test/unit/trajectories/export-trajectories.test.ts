import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { InMemoryHistoryStore } from '../../../agent-server/history/index.js';
import { secretValues } from '../../../agent-server/runtime/secret-redaction.js';
import { exportTrajectories } from '../../../agent-server/trajectories/export-trajectories.js';
import type { TrajectoryFormat } from '../../../agent-server/trajectories/trajectory-format.js';

const MODEL_KEY = 'sk-live-0123456789abcdefGHIJ';
const ODD_TOKEN = 'zq8x7c6v5b4n3m2l1k';
const GITHUB_TOKEN = `ghp_${'a1B2'.repeat(9)}`;

async function plantedHistory(): Promise<InMemoryHistoryStore> {
  const history = new InMemoryHistoryStore();
  await history.createSession({ id: 's1', cwd: '/repo', title: 'check env', model: 'scripted' });
  const append = (message: Parameters<InMemoryHistoryStore['append']>[1]) => history.append('s1', message);
  await append({
    type: 'message',
    message: { role: 'user', content: `my key is ${MODEL_KEY}, list the env` },
  });
  await append({
    type: 'message',
    message: {
      role: 'assistant',
      content: 'Reading it.',
      toolCalls: [{ id: 'c1', name: 'terminal', arguments: JSON.stringify({ command: 'env' }) }],
    },
  });
  await append({
    type: 'message',
    message: {
      role: 'tool',
      toolCallId: 'c1',
      name: 'terminal',
      content: `OPENAI_API_KEY=${MODEL_KEY}\nDEPLOY_CREDENTIAL_X=${ODD_TOKEN}\nGH=${GITHUB_TOKEN}\nPATH=/usr/bin`,
    },
  });
  await append({ type: 'message', message: { role: 'assistant', content: 'Done; I will not repeat them.' } });
  await history.createSession({ id: 'empty', cwd: '/repo' });
  return history;
}

async function exportAll(format: TrajectoryFormat) {
  const history = await plantedHistory();
  const env = { OPENAI_API_KEY: MODEL_KEY, MY_SERVICE_TOKEN: ODD_TOKEN, HOME: '/home/x' };
  const lines: string[] = [];
  const summary = await exportTrajectories({
    history,
    select: { project: '/repo' },
    format,
    secrets: secretValues(env, { values: [], names: [] }),
    write: async (line) => {
      lines.push(line);
    },
  });
  return { lines, summary, text: lines.join('') };
}

describe('trajectory export', () => {
  it('OpenAI format: valid JSONL, tool calls paired with results, metadata, secrets redacted', async () => {
    const { lines, summary, text } = await exportAll('openai');
    assert.equal(lines.length, 1, 'the empty session is left out');
    assert.ok(lines[0]!.endsWith('\n'));
    const row = JSON.parse(lines[0]!) as {
      messages: Array<{
        role: string;
        content: string;
        tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
        tool_call_id?: string;
      }>;
      metadata: { sessionId: string; model: string; createdAt: string };
    };
    assert.deepEqual(
      row.messages.map((m) => m.role),
      ['user', 'assistant', 'tool', 'assistant'],
    );
    const call = row.messages[1]!.tool_calls![0]!;
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, 'terminal');
    assert.equal(row.messages[2]!.tool_call_id, call.id);
    assert.equal(row.metadata.sessionId, 's1');
    assert.equal(row.metadata.model, 'scripted');
    for (const secret of [MODEL_KEY, ODD_TOKEN, GITHUB_TOKEN])
      assert.ok(!text.includes(secret), `${secret} leaked`);
    assert.match(row.messages[2]!.content, /PATH=\/usr\/bin/);
    assert.equal(summary.conversations, 1);
    assert.equal(summary.redactions, 4);
  });

  it('ShareGPT format: conversations of from/value, calls and observations paired, secrets redacted', async () => {
    const { lines, text } = await exportAll('sharegpt');
    const row = JSON.parse(lines[0]!) as { conversations: Array<{ from: string; value: string }> };
    assert.deepEqual(
      row.conversations.map((t) => t.from),
      ['human', 'gpt', 'function_call', 'observation', 'gpt'],
    );
    for (const t of row.conversations) assert.equal(typeof t.value, 'string');
    const call = JSON.parse(row.conversations[2]!.value) as { id: string; name: string };
    const result = JSON.parse(row.conversations[3]!.value) as { id: string };
    assert.equal(result.id, call.id);
    for (const secret of [MODEL_KEY, ODD_TOKEN, GITHUB_TOKEN])
      assert.ok(!text.includes(secret), `${secret} leaked`);
  });

  it('a key only in the environment, printed in any way a pattern cannot know, never appears', async () => {
    const history = new InMemoryHistoryStore();
    const key = 'QWxsIHlvdXIgYmFzZQ-only-by-value';
    await history.createSession({ id: 'k', cwd: '/r' });
    await history.append('k', { type: 'message', message: { role: 'user', content: `x${key}y` } });
    let out = '';
    await exportTrajectories({
      history,
      select: { sessionId: 'k' },
      format: 'openai',
      secrets: secretValues({ ANTHROPIC_API_KEY: key }, { values: [], names: [] }),
      write: async (line) => {
        out += line;
      },
    });
    assert.ok(!out.includes(key));
    assert.match(out, /x\[REDACTED\]y/);
  });
});
