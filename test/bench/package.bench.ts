/**
 * The npm package `cairn-agent`: packed and unpacked size, install time into an empty prefix,
 * and cold start of the installed `cairn acp` (spawn → `initialize` answered, → `session/new`
 * answered) against `node dist/cairn.js acp` from the repository, measured alternately.
 */
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { repoRoot, serverJs } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir } from '../helpers/env.js';
import { median } from './stats.js';

const run = promisify(execFile);
const RUNS = 10;

/** ms from spawn to the answers to `initialize` and `session/new`. */
async function coldStart(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const t0 = performance.now();
  const child = spawn(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'ignore'] });
  const send = (id: number, method: string, params: object) =>
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
  const times: number[] = [];
  send(1, 'initialize', { protocolVersion: 1, clientCapabilities: {} });
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      const msg = JSON.parse(line) as { id?: number };
      if (msg.id === 1) {
        times.push(performance.now() - t0);
        send(2, 'session/new', { cwd, mcpServers: [] });
      } else if (msg.id === 2) {
        times.push(performance.now() - t0);
        break;
      }
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
    }
  }
  if (times.length < 2) throw new Error(`${command} ${args.join(' ')} exited before answering`);
  return { initialize: times[0]!, sessionNew: times[1]! };
}

export async function bench(
  report: (name: string, figures: Record<string, number | string>) => void,
): Promise<void> {
  const work = await tempDir('bench-package');
  try {
    const { stdout } = await run(process.execPath, [
      path.join(repoRoot, 'scripts', 'pack-agent.mjs'),
      '--no-build',
      '--out',
      work,
    ]);
    const tarball = stdout.trim();
    const listing = await run('tar', ['-tvzf', tarball]);
    const unpacked = listing.stdout
      .split('\n')
      .filter(Boolean)
      .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[2] ?? 0), 0);
    report('cairn-agent package', {
      packed_mb: (await fs.stat(tarball)).size / 1024 / 1024,
      unpacked_mb: unpacked / 1024 / 1024,
      target_packed_mb: 5,
    });

    const prefix = path.join(work, 'prefix');
    const installEnv = cleanEnv({ npm_config_cache: path.join(work, 'npm-cache') });
    const t0 = performance.now();
    await run('npm', ['install', '-g', '--prefix', prefix, tarball, '--no-audit', '--no-fund'], {
      env: installEnv,
      cwd: work,
    });
    report('npm install -g from the tarball', { ms: performance.now() - t0 });

    const home = path.join(work, 'home');
    const project = path.join(work, 'project');
    await fs.mkdir(home);
    await fs.mkdir(project);
    const env = cleanEnv({ CAIRN_HOME: home, HOME: home, NODE_PATH: '' });
    const installed = path.join(prefix, 'bin', 'cairn');
    const repo: { initialize: number; sessionNew: number }[] = [];
    const pkg: { initialize: number; sessionNew: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      repo.push(await coldStart(process.execPath, [serverJs, 'acp'], env, project));
      pkg.push(await coldStart(installed, ['acp'], env, project));
    }
    const ratio = (a: number, b: number) => a / b;
    report(`installed cairn acp: spawn → initialize (median of ${RUNS})`, {
      package_ms: median(pkg.map((r) => r.initialize)),
      repo_dist_ms: median(repo.map((r) => r.initialize)),
      ratio: ratio(median(pkg.map((r) => r.initialize)), median(repo.map((r) => r.initialize))),
    });
    report('installed cairn acp: spawn → session/new', {
      package_ms: median(pkg.map((r) => r.sessionNew)),
      repo_dist_ms: median(repo.map((r) => r.sessionNew)),
      ratio: ratio(median(pkg.map((r) => r.sessionNew)), median(repo.map((r) => r.sessionNew))),
    });
  } finally {
    await fs.rm(work, { recursive: true, force: true, maxRetries: 5 });
  }
}
