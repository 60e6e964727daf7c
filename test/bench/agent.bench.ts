/**
 * The agent server: cold start (spawn → `initialize` answered, → `session/new` answered)
 * against the least a Node process can do, idle memory after `session/new`, and the latency
 * the agent adds to each streamed model chunk.
 *
 * `cairn acp` answers `initialize` from a light bootstrap (agent-server/acp/stdio-bootstrap.ts)
 * while the agent loads, and answers `session/new` before the session is built (tools, skills,
 * memory… come right after; see AgentSession.ready). Figures (median of 10, idle 2-core machine):
 *   - issue 12: initialize about +20 ms over bare Node.
 *   - issue 20, before: session/new +425 ms, RSS at the answer 77.8 MB.
 *   - issue 20, after (2026-12-02): session/new +99.6 to +102.9 ms (Node 20), +67 ms (Node 22);
 *     RSS at the answer 52.5 MB, 75.4 MB once the session is built.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import * as acp from '@agentclientprotocol/sdk';
import { serverJs } from '../helpers/acp-harness.js';
import { cleanEnv } from '../helpers/env.js';
import { median, percentile } from './stats.js';

const RUNS = 10;
const CHUNKS = 10_000;

const BASELINE = `
let n = 0;
process.stdin.on('data', (d) => {
  for (const line of d.toString().split('\\n')) {
    if (!line.trim()) continue;
    const msg = JSON.parse(line);
    process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: n++ === 0 ? { protocolVersion: 1 } : { sessionId: 's' } }) + '\\n');
  }
});
`;

const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: 1, clientCapabilities: {} },
});

/** Spawns a server, sends initialize then session/new; returns ms to each answer and the RSS after. */
async function coldStart(args: string[], env: NodeJS.ProcessEnv, cwd: string, node = process.execPath) {
  const t0 = performance.now();
  const child = spawn(node, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
  const times: number[] = [];
  let buf = '';
  const done = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const msg = JSON.parse(line) as { id?: number };
        if (msg.id === 1) {
          times.push(performance.now() - t0);
          child.stdin!.write(
            JSON.stringify({
              jsonrpc: '2.0',
              id: 2,
              method: 'session/new',
              params: { cwd, mcpServers: [] },
            }) + '\n',
          );
        } else if (msg.id === 2) {
          times.push(performance.now() - t0);
          resolve();
        }
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before answering`)));
  });
  child.stdin!.write(INIT + '\n');
  await done;
  const rss = () =>
    fs
      .readFile(`/proc/${child.pid}/status`, 'utf8')
      .then((s) => Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? NaN) / 1024)
      .catch(() => NaN);
  const rssMb = await rss();
  // After session/new Cairn builds the session (tools, skills, memory…), checks the endpoint's
  // model list and loads the history index (SQLite in WebAssembly), all in the background.
  await new Promise((r) => setTimeout(r, 1500));
  const settledRssMb = await rss();
  child.removeAllListeners('exit');
  child.kill();
  return { initialize: times[0]!, sessionNew: times[1]!, rssMb, settledRssMb };
}

/** An SSE server that streams `count` chunks whose text is the send time (hrtime, ns). */
async function timestampModel(count: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    req.resume();
    await new Promise((r) => req.on('end', r));
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta: object, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    for (let i = 0; i < count; i++) {
      res.write(chunk({ content: `<${process.hrtime.bigint()}>` }));
      // About a thousand chunks a second: faster than any model, slow enough not to queue.
      await new Promise((r) => setTimeout(r, 1));
    }
    res.write(chunk({}, 'stop'));
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, close: () => new Promise((r) => server.close(() => r())) };
}

function latenciesFrom(text: string, received: bigint, into: number[]) {
  for (const m of text.matchAll(/<(\d+)>/g)) into.push(Number(received - BigInt(m[1]!)) / 1e6);
}

/** Baseline: the same SSE stream read directly, no agent in between. */
async function directLatency(url: string): Promise<number[]> {
  const res = await fetch(`${url}/chat/completions`, { method: 'POST', body: '{}' });
  const latencies: number[] = [];
  const decoder = new TextDecoder();
  for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
    latenciesFrom(decoder.decode(part), process.hrtime.bigint(), latencies);
  }
  return latencies;
}

async function agentLatency(url: string, home: string, cwd: string): Promise<number[]> {
  const env = cleanEnv({
    CAIRN_HOME: home,
    HOME: home,
    OPENAI_BASE_URL: url,
    CAIRN_MODEL: 'm',
    OPENAI_API_KEY: 'k',
  });
  const child: ChildProcess = spawn(process.execPath, [serverJs, 'acp'], {
    env,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const latencies: number[] = [];
  const app = acp.client({ name: 'bench' }).onNotification('session/update', ({ params }) => {
    const u = params.update;
    if (u.sessionUpdate === 'agent_message_chunk' && u.content.type === 'text') {
      latenciesFrom(u.content.text, process.hrtime.bigint(), latencies);
    }
  });
  const conn = app.connect(
    acp.ndJsonStream(
      Writable.toWeb(child.stdin!) as WritableStream<Uint8Array>,
      Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>,
    ),
  );
  await conn.agent.request('initialize', { protocolVersion: 1, clientCapabilities: {} });
  const { sessionId } = await conn.agent.request('session/new', { cwd, mcpServers: [] });
  await conn.agent.request('session/prompt', { sessionId, prompt: [{ type: 'text', text: 'stream' }] });
  child.kill();
  conn.close();
  return latencies;
}

/** Cold starts, interleaved with the bare-Node baseline so machine noise hits both alike. */
async function coldStarts(
  report: (name: string, figures: Record<string, number | string>) => void,
  label: string,
  node: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  baselineFile: string,
): Promise<void> {
  const base: { initialize: number; sessionNew: number }[] = [];
  const cairn: { initialize: number; sessionNew: number; rssMb: number; settledRssMb: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    base.push(await coldStart([baselineFile], env, cwd, node));
    cairn.push(await coldStart([serverJs, 'acp'], env, cwd, node));
  }
  const bInit = median(base.map((r) => r.initialize));
  const cInit = median(cairn.map((r) => r.initialize));
  const bNew = median(base.map((r) => r.sessionNew));
  const cNew = median(cairn.map((r) => r.sessionNew));
  report(`${label}: spawn → initialize (median of ${RUNS})`, {
    baseline_ms: bInit,
    cairn_ms: cInit,
    added_ms: cInit - bInit,
    target_added_ms: 30,
  });
  report(`${label}: spawn → session/new`, {
    baseline_ms: bNew,
    cairn_ms: cNew,
    added_ms: cNew - bNew,
    target_added_ms: 100,
  });
  report(`${label}: RSS after session/new`, {
    at_answer_mb: median(cairn.map((r) => r.rssMb)),
    settled_1_5s_mb: median(cairn.map((r) => r.settledRssMb)),
    target_at_answer_mb: 65,
  });
}

export async function bench(
  report: (name: string, figures: Record<string, number | string>) => void,
): Promise<void> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-bench-home-'));
  const cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-bench-ws-'));
  const baselineFile = path.join(home, 'baseline.cjs');
  await fs.writeFile(baselineFile, BASELINE);
  await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ terminal: { backend: 'local' } }));
  const env = cleanEnv({ CAIRN_HOME: home, HOME: home, OPENAI_API_KEY: 'k' });
  try {
    await coldStarts(report, 'cold start', process.execPath, env, cwd, baselineFile);
    // Another runtime as well (e.g. Node 22, where Cairn keeps a V8 compile cache in its home).
    const other = process.env.CAIRN_BENCH_NODE;
    if (other) {
      const version = await new Promise<string>((resolve) =>
        execFile(other, ['--version'], (_err, out) => resolve(String(out).trim())),
      );
      await coldStarts(report, `cold start, node ${version}`, other, env, cwd, baselineFile);
    }

    const model = await timestampModel(CHUNKS);
    try {
      const direct = await directLatency(model.url);
      const through = await agentLatency(model.url, home, cwd);
      report(`streaming ${CHUNKS} chunks: latency per chunk`, {
        direct_p50_ms: median(direct),
        agent_p50_ms: median(through),
        added_p50_ms: median(through) - median(direct),
        agent_p95_ms: percentile(through, 95),
        chunks_seen: through.length,
        target_added_ms: 1,
      });
    } finally {
      await model.close();
    }
  } finally {
    await fs.rm(home, { recursive: true, force: true });
    await fs.rm(cwd, { recursive: true, force: true });
  }
}
