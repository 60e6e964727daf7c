import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { serverJs } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir } from '../helpers/env.js';
import { startScriptedModel } from '../fixtures/model-server.js';

// The built `cairn acp` fed malformed, oversized, deeply nested, truncated and binary lines.
// After each one a valid request follows: the server must answer it or exit, never stay alive
// and silent.

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface RawServer {
  child: ChildProcessWithoutNullStreams;
  send: (line: string | Buffer) => void;
  /** Resolves with the reply to `id`, or 'exited' once the process is gone. */
  replyOrExit: (id: number) => Promise<Record<string, unknown> | 'exited'>;
  stdoutBytes: () => number;
}

async function startRaw(): Promise<RawServer> {
  const home = await tempDir('fuzz-home');
  await fs.writeFile(`${home}/config.json`, JSON.stringify({ terminal: { backend: 'local' } }));
  const child = spawn(process.execPath, [serverJs, 'acp'], {
    env: cleanEnv({ CAIRN_HOME: home, HOME: home }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.resume();
  let exited = false;
  let buffered = '';
  let bytes = 0;
  const replies = new Map<unknown, Record<string, unknown>>();
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  child.stdout.on('data', (d: Buffer) => {
    bytes += d.length;
    buffered += d.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      const msg = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
      buffered = buffered.slice(nl + 1);
      if ('id' in msg) replies.set(msg.id, msg);
    }
    wake();
  });
  child.on('exit', () => {
    exited = true;
    wake();
  });
  child.stdin.on('error', () => {});
  cleanups.push(async () => {
    child.kill('SIGKILL');
    await fs.rm(home, { recursive: true, force: true });
  });
  return {
    child,
    send: (line) => child.stdin.write(Buffer.concat([Buffer.from(line), Buffer.from('\n')])),
    replyOrExit: (id) =>
      new Promise((resolve) => {
        const check = () => {
          const reply = replies.get(id);
          if (reply || exited) {
            waiters.delete(check);
            resolve(reply ?? 'exited');
          }
        };
        waiters.add(check);
        check();
      }),
    stdoutBytes: () => bytes,
  };
}

/** Mulberry32: a small seeded generator, so every run sends the same messages. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function badMessages(random: () => number): Buffer[] {
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const valid = JSON.stringify({
    jsonrpc: '2.0',
    id: 900,
    method: 'session/new',
    params: { cwd: '/tmp', mcpServers: [] },
  });
  const makers: (() => string | Buffer)[] = [
    () => `{"jsonrpc":"2.0","id":${deep(5000 + Math.floor(random() * 50000))},"method":"initialize"}`,
    () => `{"jsonrpc":"2.0","id":1,"method":"x","params":${deep(200 + Math.floor(random() * 20000))}}`,
    () =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'm'.repeat(1_000_000 + Math.floor(random() * 9_000_000)),
      }),
    () => JSON.stringify({ jsonrpc: '2.0', id: 'i'.repeat(100_000), method: 'session/list' }),
    () => 'A'.repeat(33 * 1024 * 1024),
    () => valid.slice(0, Math.floor(random() * valid.length)),
    () =>
      Buffer.from(
        Array.from({ length: 1 + Math.floor(random() * 4000) }, () => Math.floor(random() * 256)).filter(
          (b) => b !== 10,
        ),
      ),
    () => pick(['null', '1', '"s"', '[]', '[{"jsonrpc":"2.0","id":3,"method":"initialize"}]', '{}', 'true']),
    () => JSON.stringify({ jsonrpc: pick(['1.0', 2, null]), id: 4, method: 'initialize' }),
    () => JSON.stringify({ jsonrpc: '2.0', id: pick([{}, [], true, 1.5e400]), method: 'initialize' }),
    () =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: 5,
        method: pick(['', 'session/prompt', 'nope', '$/x']),
        params: pick([null, 1, 'x', [], {}]),
      }),
    () => JSON.stringify({ jsonrpc: '2.0', id: 6, result: { x: 1 } }),
    () => JSON.stringify({ jsonrpc: '2.0', method: 'session/cancel', params: { sessionId: 'nope' } }),
  ];
  const out: Buffer[] = [];
  for (let i = 0; i < 40; i++) {
    const made = pick(makers)();
    out.push(typeof made === 'string' ? Buffer.from(made) : made);
  }
  return out;
}

test(
  'fuzzed input never leaves the server alive and silent (fixed seed, bounded count)',
  { timeout: 120_000 },
  async () => {
    const server = await startRaw();
    let nextId = 1000;
    server.send(
      JSON.stringify({ jsonrpc: '2.0', id: nextId, method: 'initialize', params: { protocolVersion: 1 } }),
    );
    assert.notEqual(await server.replyOrExit(nextId), 'exited');
    const messages = badMessages(seeded(11));
    for (const [i, bad] of messages.entries()) {
      const before = server.stdoutBytes();
      server.send(bad);
      const id = ++nextId;
      server.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'session/list', params: {} }));
      const reply = await server.replyOrExit(id);
      if (reply === 'exited') {
        assert.notEqual(
          server.child.exitCode,
          0,
          `message ${i}: an exit the client did not ask for is not 0`,
        );
        return;
      }
      assert.ok('result' in reply || 'error' in reply, `message ${i}: a reply`);
      // Nothing is echoed back whole: the replies stay small next to what was sent.
      assert.ok(
        server.stdoutBytes() - before < 64 * 1024 + bad.length / 100,
        `message ${i}: the error replies are short`,
      );
    }
  },
);

test('closing stdin ends the server with exit code 0', async () => {
  const server = await startRaw();
  server.send(
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: 1 } }),
  );
  await server.replyOrExit(1);
  const exited = new Promise<number | null>((r) => server.child.once('exit', (code) => r(code)));
  server.child.stdin.end();
  assert.equal(await exited, 0);
});

test('a blank first line does not stop requests sent right behind initialize from queueing', async () => {
  const server = await startRaw();
  server.child.stdin.write(
    '\n  \r\n' +
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: 1 } }) +
      '\n' +
      JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'session/list', params: {} }) +
      '\n',
  );
  const init = await server.replyOrExit(1);
  assert.ok(init !== 'exited' && 'result' in init);
  const list = await server.replyOrExit(2);
  assert.ok(list !== 'exited' && 'result' in list, JSON.stringify(list));
});

test('requests piped in and followed by the end of input are all answered before the server exits', async () => {
  // `printf '…' | cairn acp`: initialize, session/new and a prompt, then stdin closes at once.
  const model = await startScriptedModel([{ text: 'Answered after stdin closed.' }]);
  const home = await tempDir('pipe-home');
  const repo = await tempDir('pipe-repo');
  cleanups.push(async () => {
    await model.close();
    await fs.rm(home, { recursive: true, force: true });
    await fs.rm(repo, { recursive: true, force: true });
  });
  await fs.writeFile(`${home}/config.json`, JSON.stringify({ terminal: { backend: 'local' } }));
  const child = spawn(process.execPath, [serverJs, 'acp'], {
    env: cleanEnv({
      CAIRN_HOME: home,
      HOME: home,
      OPENAI_BASE_URL: model.url,
      CAIRN_MODEL: 'scripted',
      OPENAI_API_KEY: 'sk-test-not-real',
    }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.resume();
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  // The prompt names the session, so it is written once session/new is answered; the input
  // closes in the same write, long before the model answers the prompt.
  child.stdin.write(
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: 1 } }) +
      '\n' +
      JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'session/new',
        params: { cwd: repo, mcpServers: [] },
      }) +
      '\n',
  );
  const created = await new Promise<string>((resolve) => {
    const look = () => {
      const line = out.split('\n').find((l) => l.includes('"id":2'));
      if (line) resolve((JSON.parse(line) as { result: { sessionId: string } }).result.sessionId);
    };
    child.stdout.on('data', look);
  });
  child.stdin.end(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 3,
      method: 'session/prompt',
      params: { sessionId: created, prompt: [{ type: 'text', text: 'hello' }] },
    }) + '\n',
  );
  assert.equal(await exited, 0);
  const answers = out
    .split('\n')
    .filter(Boolean)
    .map(
      (l) =>
        JSON.parse(l) as {
          id?: number;
          result?: { stopReason?: string };
          params?: { update?: { sessionUpdate: string; content?: { text?: string } } };
        },
    );
  assert.deepEqual(
    answers.filter((a) => a.id !== undefined).map((a) => a.id),
    [1, 2, 3],
  );
  assert.equal(answers.find((a) => a.id === 3)?.result?.stopReason, 'end_turn');
  const said = answers
    .map((a) => a.params?.update)
    .filter((u) => u?.sessionUpdate === 'agent_message_chunk')
    .map((u) => u!.content?.text ?? '')
    .join('');
  assert.equal(said, 'Answered after stdin closed.');
});
