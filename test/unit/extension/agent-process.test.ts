import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startAgentProcess } from '../../../extension/agent-process.js';
import { makeHost } from './host-harness.js';

const main = fileURLToPath(new URL('./fake-agent-main.ts', import.meta.url));

test('a real agent process: ACP over stdio, stderr logged, a kill reported and recovered', async () => {
  const h = makeHost();
  const stderr: string[] = [];
  const traced: string[] = [];
  const pids: number[] = [];
  // The harness's launcher is swapped for a real child process running the fake agent.
  (h.host as unknown as { env: { launchAgent: unknown } }).env.launchAgent = async () => {
    const p = startAgentProcess(
      { command: process.execPath, args: ['--import', 'tsx', main], cwd: process.cwd(), env: process.env },
      { stderr: (l) => stderr.push(l), trace: (dir, text) => traced.push(`${dir} ${text}`) },
    );
    pids.push(p.pid!);
    return p;
  };
  const { stopReason } = await h.host.handlers.prompt({ text: 'hello', context: [] });
  assert.equal(stopReason, 'end_turn');
  assert.ok(stderr.includes('fake agent ready'));
  assert.ok(traced.some((t) => t.startsWith('send ') && t.includes('"session/prompt"')));
  assert.ok(traced.some((t) => t.startsWith('recv ') && t.includes('agent_message_chunk')));

  const stopped = new Promise<void>((resolve) =>
    h.host.onStateChange((s) => s.activity === 'stopped' && resolve()),
  );
  process.kill(pids[0]!, 'SIGKILL');
  await stopped;
  assert.match(h.host.state.exit?.message ?? '', /killed \(SIGKILL\)/);

  await h.host.handlers.restartAgent({});
  assert.equal(h.host.state.activity, 'idle');
  assert.equal(pids.length, 2);
  // This fake agent keeps no sessions across processes: the user is told, and gets a new chat.
  const notice = h.sent.find((s) => s.method === 'notice')?.params as { message: string } | undefined;
  assert.match(notice?.message ?? '', /Could not reload the session.*new chat/);
  assert.ok(h.host.state.sessionId);
  await h.host.stop();
});
