// `cairn acp`'s stdin reader (acp/stdio-bootstrap.ts) answers a leading `initialize` before the
// agent has loaded, then hands every byte to the agent and drops the agent's duplicate answer.
// Its edge cases, through the real process (run from source): each request is answered exactly
// once, in order, whatever the first line is and however the bytes arrive.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../../helpers/acp-harness.js';
import { cleanEnv, tempDir } from '../../helpers/env.js';

interface Reply {
  id?: unknown;
  method?: unknown;
  result?: { protocolVersion?: unknown; agentInfo?: unknown };
  error?: { code?: unknown };
}

const initialize = (id: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: 1, clientCapabilities: {}, ...extra },
  });
/** A method no agent knows: answered with an error by the agent itself, never by the bootstrap. */
const unknownMethod = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'cairn/no_such_method' });

let home: string;
let workspace: string;

/**
 * Starts `cairn acp`, writes `chunks` one after another (each once the previous is flushed and
 * the next event-loop turn has come), and collects stdout replies until each of `ids` is answered.
 */
async function converse(chunks: (string | Buffer)[], ids: number[]): Promise<Reply[]> {
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), path.join(repoRoot, 'agent-server/cli/main.ts'), 'acp'],
    {
      cwd: workspace,
      env: cleanEnv({ CAIRN_HOME: home }),
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const replies: Reply[] = [];
  const answered = new Promise<void>((resolve, reject) => {
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      buffered += text;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const reply = JSON.parse(line) as Reply; // stdout carries only JSON-RPC
        replies.push(reply);
        if (ids.every((id) => answersTo(replies, id).length > 0)) resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`cairn acp exited (${code}) before answering:\n${stderr}`)));
  });
  try {
    for (const chunk of chunks) {
      if (!child.stdin.write(chunk)) await once(child.stdin, 'drain');
      await new Promise((resolve) => setImmediate(resolve));
    }
    await answered;
  } finally {
    child.stdin.end();
    child.kill();
  }
  return replies;
}

function answersTo(replies: Reply[], id: number): Reply[] {
  return replies.filter((reply) => reply.id === id && reply.method === undefined);
}

describe('cairn acp stdin bootstrap', () => {
  before(async () => {
    home = await tempDir('bootstrap-home');
    workspace = await tempDir('bootstrap-ws');
  });
  after(async () => {
    await fs.rm(home, { recursive: true, force: true });
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('a first line that is not initialize goes to the agent, which answers it; initialize after it is answered once', async () => {
    const replies = await converse([`${unknownMethod(1)}\n${initialize(2)}\n`], [1, 2]);
    assert.equal(answersTo(replies, 1).length, 1);
    assert.ok(answersTo(replies, 1)[0]!.error, 'a request before initialize is answered with an error');
    assert.equal(answersTo(replies, 2).length, 1, 'initialize answered exactly once');
    assert.equal(answersTo(replies, 2)[0]!.result?.protocolVersion, 1);
  });

  it('a first line that is not JSON does not stop the agent', async () => {
    const replies = await converse([`this is not json\n${initialize(1)}\n`], [1]);
    assert.equal(answersTo(replies, 1).length, 1, 'initialize answered exactly once');
    assert.equal(answersTo(replies, 1)[0]!.result?.protocolVersion, 1);
  });

  it('an initialize split across writes, with blank lines before it, is answered once', async () => {
    const line = initialize(1);
    const middle = Math.floor(line.length / 2);
    const replies = await converse(
      [
        '\n\r\n',
        line.slice(0, 10),
        line.slice(10, middle),
        `${line.slice(middle)}\n`,
        `${unknownMethod(2)}\n`,
      ],
      [1, 2],
    );
    assert.equal(answersTo(replies, 1).length, 1, 'initialize answered exactly once');
    assert.equal(answersTo(replies, 1)[0]!.result?.protocolVersion, 1);
    assert.equal(answersTo(replies, 2).length, 1);
    assert.deepEqual(
      replies.map((reply) => reply.id),
      [1, 2],
    );
  });

  it('a multi-byte character split between writes survives', async () => {
    const line = Buffer.from(`${initialize(1, { clientInfo: { name: 'édition ✓', version: '1' } })}\n`);
    const split = line.indexOf(Buffer.from('✓')) + 1; // inside the three bytes of ✓
    const replies = await converse(
      [line.subarray(0, split), line.subarray(split), `${unknownMethod(2)}\n`],
      [1, 2],
    );
    assert.equal(answersTo(replies, 1).length, 1, 'initialize answered exactly once');
    assert.equal(answersTo(replies, 2).length, 1);
  });

  it('a very long initialize line (1 MB, in many chunks) is answered once, and what follows is too', async () => {
    const line = `${initialize(1, { _meta: { padding: 'x'.repeat(1024 * 1024) } })}\n`;
    const chunks: string[] = [];
    for (let at = 0; at < line.length; at += 64 * 1024) chunks.push(line.slice(at, at + 64 * 1024));
    const replies = await converse([...chunks, `${unknownMethod(2)}\n`], [1, 2]);
    assert.equal(answersTo(replies, 1).length, 1, 'initialize answered exactly once');
    assert.equal(answersTo(replies, 2).length, 1);
  });

  it('requests sent with initialize wait for its answer: none is judged "before initialize"', async () => {
    const replies = await converse(
      [`${initialize(1)}\n${unknownMethod(2)}\n${unknownMethod(3)}\n`],
      [1, 2, 3],
    );
    for (const id of [2, 3]) {
      assert.notEqual(
        answersTo(replies, id)[0]!.error?.code,
        -32600,
        `request ${id} was judged before initialize`,
      );
    }
    assert.deepEqual(
      replies.map((reply) => reply.id),
      [1, 2, 3],
    );
  });
});
