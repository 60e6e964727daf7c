import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { cairnHome } from '../config/home.js';
import { initializeResponse, type InitializeFacts } from './capabilities.js';
import { MCP_ADVERTISED, HISTORY_ADVERTISED } from './advertised.js';

/**
 * `cairn acp`: ACP over stdin/stdout. The first `initialize` is answered from this light
 * module at once, while the agent (its connection, model client, tools) loads in the background; the
 * agent then receives every message, the first `initialize` included, and its duplicate answer
 * to that request is dropped. stdout carries only JSON-RPC; everything else goes to stderr.
 */

function log(line: string): void {
  process.stderr.write(line.endsWith('\n') ? line : line + '\n');
}

/** Reads `terminal.backend` without loading the config schema (that waits for the agent). */
function configuredTerminalBackend(): string {
  try {
    const raw = JSON.parse(readFileSync(path.join(cairnHome(), 'config.json'), 'utf8')) as {
      terminal?: { backend?: unknown };
    };
    return typeof raw.terminal?.backend === 'string' ? raw.terminal.backend : 'auto';
  } catch {
    return 'auto';
  }
}

interface FirstLine {
  line: string;
  initializeId?: string | number;
  /** Blank lines before it, skipped as the agent's line reader skips them. */
  blankLinesBefore: number;
}

function asInitialize(line: string): { id: string | number; params: Record<string, unknown> } | undefined {
  try {
    const msg = JSON.parse(line) as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    if (msg.jsonrpc !== '2.0' || msg.method !== 'initialize') return undefined;
    if (typeof msg.id !== 'string' && typeof msg.id !== 'number') return undefined;
    if (typeof msg.params !== 'object' || msg.params === null) return undefined;
    const version = (msg.params as { protocolVersion?: unknown }).protocolVersion;
    if (typeof version !== 'number') return undefined;
    return { id: msg.id, params: msg.params as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

export async function serveAcpOverStdio(): Promise<void> {
  // A stray console.log from any library would corrupt the protocol stream.
  console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);

  const facts: InitializeFacts = {
    terminalBackend: configuredTerminalBackend(),
    mcp: MCP_ADVERTISED,
    history: HISTORY_ADVERTISED,
  };
  const agentModule = import('./agent-main.js');

  // Hold stdin bytes until the agent is ready; answer a leading initialize right away.
  const pending: Buffer[] = [];
  let first: FirstLine | undefined;
  let head = '';
  let blankLines = 0;
  let ended = false;
  const early = (chunk: Buffer) => {
    pending.push(chunk);
    if (first) return;
    head += chunk.toString('utf8');
    let nl: number;
    while ((nl = head.indexOf('\n')) !== -1 && head.slice(0, nl).trim() === '') {
      head = head.slice(nl + 1);
      blankLines++;
    }
    if (nl === -1) return;
    const line = head.slice(0, nl).replace(/\r$/, '');
    const init = asInitialize(line);
    first = { line, initializeId: init?.id, blankLinesBefore: blankLines };
    if (init) {
      const response = initializeResponse(init.params as never, facts);
      process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: init.id, result: response }) + '\n');
    }
  };
  process.stdin.on('data', early);
  process.stdin.on('end', () => (ended = true));

  const { runAgent } = await agentModule;
  process.stdin.off('data', early);

  const answeredId = first?.initializeId;
  const input = new Readable({ read() {} });
  const passStdin = () => {
    const held = Buffer.concat(pending);
    pending.length = 0;
    if (held.length) input.push(held);
    if (ended) input.push(null);
    process.stdin.on('data', (chunk: Buffer) => input.push(chunk));
    process.stdin.on('end', () => input.push(null));
  };
  let releaseRest: (() => void) | undefined;
  if (answeredId === undefined) {
    passStdin();
  } else {
    // Replay the answered initialize alone; the rest follows once the agent has answered it,
    // so nothing is judged "before initialize".
    const held = Buffer.concat(pending);
    let nl = -1;
    for (let skip = 0; skip <= (first?.blankLinesBefore ?? 0); skip++) nl = held.indexOf(0x0a, nl + 1);
    input.push(held.subarray(0, nl + 1));
    pending.length = 0;
    pending.push(held.subarray(nl + 1));
    process.stdin.on('data', (chunk: Buffer) => pending.push(chunk));
    process.stdin.on('end', () => (ended = true));
    releaseRest = () => {
      process.stdin.removeAllListeners('data');
      process.stdin.removeAllListeners('end');
      passStdin();
    };
  }

  let dropped = answeredId === undefined;
  let outBuffer = '';
  const output = new Writable({
    write(chunk: Buffer, _enc, callback) {
      if (dropped) {
        process.stdout.write(chunk, () => callback());
        return;
      }
      outBuffer += chunk.toString('utf8');
      let nl: number;
      let passOn = '';
      while ((nl = outBuffer.indexOf('\n')) !== -1) {
        const line = outBuffer.slice(0, nl + 1);
        outBuffer = outBuffer.slice(nl + 1);
        if (!dropped) {
          try {
            const msg = JSON.parse(line) as { id?: unknown; method?: unknown };
            if (msg.id === answeredId && msg.method === undefined) {
              dropped = true;
              setImmediate(() => releaseRest?.());
              continue;
            }
          } catch {
            /* not ours to judge: pass it on */
          }
        }
        passOn += line;
      }
      if (dropped && outBuffer) {
        passOn += outBuffer;
        outBuffer = '';
      }
      if (passOn) process.stdout.write(passOn, () => callback());
      else callback();
    },
  });

  const exitCode = await runAgent({ input, output, facts, log });
  // Exit outright: an open stdin, an MCP child or a keep-alive socket would otherwise keep a
  // process alive that no longer answers anyone.
  process.stdout.write('', () => process.exit(exitCode));
}
