import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { TerminalConfigSchema } from '../../../shared/config.js';
import type {
  ClientTerminalExit,
  ClientTerminalHandle,
  ClientTerminalHost,
} from '../../../agent-server/terminal/client-backend.js';
import { createTerminalBackend } from '../../../agent-server/terminal/index.js';
import { createHarness, type Harness } from './harness.js';

/**
 * An editor's side of ACP `terminal/*`, as a client such as Zed implements it: real processes,
 * output kept up to a byte limit, exit status, kill and release.
 */
class ProcessTerminalHost implements ClientTerminalHost {
  readonly created: { command: string; args?: string[]; cwd: string }[] = [];
  readonly released = new Set<string>();
  private next = 1;

  async create(req: {
    command: string;
    args?: string[];
    cwd: string;
    outputByteLimit?: number;
  }): Promise<ClientTerminalHandle> {
    this.created.push(req);
    const id = `term-${this.next++}`;
    // Own process group, killed as a whole, as editors do with a terminal's shell.
    const child = spawn(req.command, req.args ?? [], {
      cwd: req.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const killGroup = (): void => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    let output = '';
    let exit: ClientTerminalExit | undefined;
    const exited = new Promise<ClientTerminalExit>((resolve) =>
      child.on('close', (code, signal) => resolve((exit = { exitCode: code, signal }))),
    );
    const append = (d: Buffer): void => {
      output += d.toString('utf8');
      const limit = req.outputByteLimit ?? Infinity;
      if (output.length > limit) output = output.slice(-limit);
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const released = this.released;
    return {
      id,
      currentOutput: async () => ({ output, truncated: false, exitStatus: exit ?? null }),
      waitForExit: () => exited,
      kill: async () => killGroup(),
      release: async () => {
        released.add(id);
        killGroup();
      },
    };
  }
}

describe('client backend (ACP terminal/create)', () => {
  let host: ProcessTerminalHost;
  let h: Harness;

  before(async () => {
    host = new ProcessTerminalHost();
    const { backend, notice } = await createTerminalBackend({
      config: TerminalConfigSchema.parse({ backend: 'client' }),
      cwd: process.cwd(),
      mode: () => 'auto',
      home: '/nonexistent',
      clientTerminal: host,
    });
    assert.equal(notice, undefined);
    assert.equal(backend.name, 'client');
    h = await createHarness(backend);
  });
  after(() => h.close());

  test('runs through the client, embeds its terminal and reports the exit code', async () => {
    h.progress.length = 0;
    const result = await h.run(h.terminal, { command: 'echo from-client; exit 2' });
    assert.match(result.forModel, /from-client/);
    assert.match(result.forModel, /Exit code: 2/);
    assert.deepEqual(result.content, [{ type: 'terminal', terminalId: 'term-1' }]);
    assert.deepEqual(h.progress[0], [{ type: 'terminal', terminalId: 'term-1' }]);
    const created = host.created[0]!;
    assert.equal(created.cwd, h.workspace);
    assert.deepEqual(created.args, ['-c', 'echo from-client; exit 2']);
    assert.ok(host.released.has('term-1'));
  });

  test('a timeout kills the client terminal', async () => {
    const result = await h.run(h.terminal, { command: 'echo begun; sleep 30', timeout: 0.5 });
    assert.match(result.forModel, /timed out/);
    assert.match(result.forModel, /begun/);
  });

  test('without a client terminal, "client" falls back with a notice', async () => {
    const { backend, notice } = await createTerminalBackend({
      config: TerminalConfigSchema.parse({ backend: 'client' }),
      cwd: process.cwd(),
      mode: () => 'auto',
      home: '/nonexistent',
    });
    assert.notEqual(backend.name, 'client');
    assert.match(notice ?? '', /does not offer terminals/);
  });
});
