/**
 * Per-command overhead of each terminal backend against a plain `sh -c true`
 * (target: the sandbox, with the profile sessions get, adds at most 15 ms), plus the command
 * classifier's cost.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { TerminalConfigSchema } from '../../shared/config.js';
import { knownModelKeys } from '../../agent-server/model/known-keys.js';
import type { TerminalBackend } from '../../agent-server/terminal/backend.js';
import { classifyCommand, loadShellSyntax } from '../../agent-server/terminal/command-safety.js';
import { LocalBackend } from '../../agent-server/terminal/local-backend.js';
import { probeSandbox, SandboxBackend } from '../../agent-server/terminal/sandbox-backend.js';
import { SshBackend } from '../../agent-server/terminal/ssh-backend.js';
import { sshdAvailable, startSshd } from '../unit/terminal/sshd.js';

const RUNS = Number(process.env.CAIRN_BENCH_TERMINAL_RUNS ?? 40);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function p90(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))]!;
}

async function timeRuns(runs: number, once: () => Promise<void>): Promise<number[]> {
  await once(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await once();
    times.push(performance.now() - start);
  }
  return times;
}

const plainShell = (): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', 'true'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve());
  });

function viaBackend(backend: TerminalBackend, cwd: string): () => Promise<void> {
  return async () => {
    const result = await backend.run({
      command: 'true',
      cwd,
      timeoutMs: 30_000,
      signal: new AbortController().signal,
    });
    if (result.exitCode !== 0) throw new Error(`${backend.name}: \`true\` failed: ${result.output}`);
  };
}

export async function bench(
  report: (name: string, figures: Record<string, number | string>) => void,
): Promise<void> {
  await loadShellSyntax();
  const workspace = await mkdtemp(path.join(os.tmpdir(), 'cairn-bench-terminal-'));
  const ms = (v: number): number => Math.round(v * 100) / 100;
  try {
    const baseline = median(await timeRuns(RUNS, plainShell));
    report('terminal: plain sh -c true', { median_ms: ms(baseline), runs: RUNS });

    const row = async (name: string, backend: TerminalBackend, runs = RUNS): Promise<void> => {
      const times = await timeRuns(runs, viaBackend(backend, workspace));
      report(`terminal: ${name} backend, \`true\``, {
        median_ms: ms(median(times)),
        p90_ms: ms(p90(times)),
        overhead_ms: ms(median(times) - baseline),
        runs,
      });
      await backend.dispose();
    };

    await row('local', new LocalBackend());

    const sandboxProblem = await probeSandbox();
    if (sandboxProblem) report('terminal: sandbox backend', { skipped: sandboxProblem });
    else {
      // The profile sessions get: home hidden but for the default toolchains, credential
      // stores and host sockets covered, no capabilities, the model key scrubbed.
      const strict = (network: boolean): SandboxBackend =>
        new SandboxBackend({
          writable: [workspace],
          userHome: os.homedir(),
          homeReadable: TerminalConfigSchema.parse({}).homeReadable,
          cairnHome: path.join(os.homedir(), '.cairn'),
          network: () => network,
          knownSecrets: knownModelKeys({}, process.env),
        });
      await row('sandbox', strict(true));
      await row('sandbox (network off)', strict(false));
    }

    if (!sshdAvailable())
      report('terminal: ssh backend', { skipped: 'OpenSSH server/client not installed or not root' });
    else {
      const sshd = await startSshd();
      try {
        const ssh = new SshBackend(
          {
            host: '127.0.0.1',
            port: sshd.port,
            user: sshd.user,
            identityFile: sshd.identityFile,
            remoteWorkspace: workspace,
            options: sshd.options,
          },
          workspace,
        );
        // A fresh connection per command (no ControlMaster): the honest worst case.
        await row('ssh (loopback, new connection each)', ssh, Math.min(RUNS, 10));
      } finally {
        await sshd.stop();
      }
    }

    const samples = [
      'npm test',
      'git status && git diff --stat | tail -5',
      "bash -c 'rm -rf node_modules && npm ci'",
      'echo / | xargs rm -rf',
    ];
    const home = os.homedir();
    const classifyTimes = await timeRuns(200, async () => {
      for (const s of samples) classifyCommand(s, { home, workspace });
    });
    report('terminal: classify a command', { median_ms: ms(median(classifyTimes) / samples.length) });
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

// Runnable alone: `node --import tsx test/bench/terminal.bench.ts`
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  if (spawnSync('true').error) throw new Error('no /bin/true');
  await bench((name, figures) => console.log(name, JSON.stringify(figures)));
}
