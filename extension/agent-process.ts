import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { ndJsonStream, type Stream } from '@agentclientprotocol/sdk';
import type { ServerExit } from '../shared/webview-protocol.js';

export type AgentLaunch = {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
};

export type AgentLog = {
  /** A line of the server's stderr. */
  stderr(line: string): void;
  /** Raw protocol traffic, when tracing is on. */
  trace?: (direction: 'send' | 'recv', text: string) => void;
};

/** A running `cairn acp`: its ACP stream, and how it ended. */
export type AgentProcess = {
  stream: Stream;
  exited: Promise<ServerExit>;
  /** Ends the process; `exited` resolves afterwards. */
  stop(): void;
  pid: number | undefined;
};

/** Starts the agent server as a child process speaking ACP on stdio. */
export function startAgentProcess(launch: AgentLaunch, log: AgentLog): AgentProcess {
  const child = spawn(launch.command, launch.args, {
    cwd: launch.cwd,
    env: launch.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stopping = false;
  let pendingErr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    pendingErr += chunk;
    const lines = pendingErr.split('\n');
    pendingErr = lines.pop() ?? '';
    for (const l of lines) log.stderr(l);
  });
  // Writes after the child died must not crash the host.
  child.stdin.on('error', (err) => log.stderr(`[cairn] stdin: ${err.message}`));

  const exited = new Promise<ServerExit>((resolve) => {
    let spawnError: Error | null = null;
    child.on('error', (err) => {
      spawnError = err;
      log.stderr(`[cairn] could not start ${launch.command}: ${err.message}`);
      if (child.pid === undefined) resolve(describeExit(null, null, stopping, err));
    });
    child.on('close', (code, signal) => {
      if (pendingErr) log.stderr(pendingErr);
      resolve(describeExit(code, signal, stopping, spawnError));
    });
  });

  const decoder = new TextDecoder();
  const tap = (direction: 'send' | 'recv') =>
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        log.trace?.(direction, decoder.decode(chunk, { stream: true }));
        controller.enqueue(chunk);
      },
    });
  const input = (Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>).pipeThrough(tap('recv'));
  const output = tap('send');
  void output.readable.pipeTo(Writable.toWeb(child.stdin) as WritableStream<Uint8Array>).catch(() => {});

  return {
    stream: ndJsonStream(output.writable, input),
    exited,
    pid: child.pid,
    stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}

/** A sentence for the panel: what happened, and what to do. */
export function describeExit(
  code: number | null,
  signal: string | null,
  expected: boolean,
  spawnError: Error | null = null,
): ServerExit {
  let message: string;
  if (spawnError && code === null && signal === null) {
    message = `The Cairn server could not start (${spawnError.message}). See the "Cairn" output for details.`;
  } else if (expected) {
    message = 'The Cairn server was stopped.';
  } else if (signal) {
    message = `The Cairn server was killed (${signal}). Restart it to continue; the "Cairn" output has its log.`;
  } else if (code === 0) {
    message = 'The Cairn server exited. Restart it to continue.';
  } else {
    message = `The Cairn server crashed (exit code ${code}). Restart it to continue; the "Cairn" output has its log.`;
  }
  return { code, signal, message };
}
