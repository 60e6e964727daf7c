import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { PermissionGate, type PermissionRequest } from '../../agent-server/permissions/gate.js';
import type { SessionMode } from '../../agent-server/permissions/policy.js';
import { MemoryPermissionRules } from '../../agent-server/runtime/permission-rules.js';
import type { AnyTool, ToolContext, ToolDefinition } from '../../agent-server/tools/types.js';
import { searchFilesTool } from '../../agent-server/tools/search-files.js';
import { nodeSearch } from '../../agent-server/tools/node-search.js';
import { DiskWorkspace } from '../../agent-server/workspace/disk-workspace.js';
import { PathPolicy } from '../../agent-server/workspace/paths.js';
import { loadSkillCatalog, createSkillTools, FileSkillUsage } from '../../agent-server/skills/index.js';
import { AgentRequests, type AgentRequestsEnvironment } from '../../extension/agent-requests.js';
import type { PendingReview } from '../../extension/edit-reviews.js';
import { createHostileSetup, type HostileSetup } from './hostile-home.js';
import { snapshot as homeSnapshot, startFlipper } from './home-watch.js';

/**
 * Class 1 of issue 10, continued: the paths that paths.test.ts does not drive — search_files
 * (ripgrep and the Node walk), skill files (reads, removal after approval) and the VS Code
 * extension's side of fs/read_text_file and fs/write_text_file. Every attempt points links in a
 * hostile repository at a fake home full of credentials and asserts no secret reaches the model
 * (or the agent) and the home is unchanged.
 */

type Ask = (req: PermissionRequest) => Promise<void> | void;

interface Attack {
  s: HostileSetup;
  ctx: ToolContext;
  repo(rel: string): string;
  home(rel: string): string;
  link(target: string, at: string): Promise<void>;
  /** Runs a tool; a refusal (thrown error) becomes its message, as the model would see it. */
  run(tool: AnyTool, input: Record<string, unknown>): Promise<string>;
}

async function attack(name: string, opts: { mode?: SessionMode; onAsk?: Ask } = {}): Promise<Attack> {
  const s = await createHostileSetup(`paths-more-${name}`);
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
    workspace: new DiskWorkspace(new PathPolicy(s.workspace)),
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
    link: async (target, at) => {
      await fs.mkdir(path.dirname(repo(at)), { recursive: true });
      await fs.symlink(target, repo(at));
    },
    run: async (tool, input) => {
      try {
        const t = tool as ToolDefinition<unknown>;
        const result = await t.run(t.inputSchema.parse(input), ctx);
        return `${result.forModel}\n${JSON.stringify(result.rawOutput ?? '')}`;
      } catch (err) {
        return `ERROR: ${(err as Error).message}`;
      }
    },
  };
}

/** Files Cairn itself keeps in its home (`~/.cairn`) when a skill is read or changes (records, versions, the parse cache): its own bookkeeping, not an escape. */
const CAIRN_BOOKKEEPING = new Set(['skill-records.json', 'versions', 'cache']);

/** The home as the attack found it; Cairn's own bookkeeping in `~/.cairn` is left out. */
const snapshot = (dir: string) =>
  homeSnapshot(dir, (parent, name) => path.basename(parent) === '.cairn' && CAIRN_BOOKKEEPING.has(name));

/** Runs `body`; asserts the home is exactly as before and the secret is in none of the outputs. */
async function attempt(a: Attack, body: () => Promise<string | string[]>): Promise<string[]> {
  const before = await snapshot(a.s.home);
  try {
    const raw = await body();
    const outputs = Array.isArray(raw) ? raw : [raw];
    for (const out of outputs) assert.ok(!out.includes(a.s.secret), `the secret got out: ${out}`);
    assert.deepEqual(await snapshot(a.s.home), before, 'the home folder changed');
    return outputs;
  } finally {
    await a.s.cleanup();
  }
}

/** Runs `call` over and over for about `ms` (at least `minCalls` times) while a flipper runs. */
async function race(
  folder: string,
  target: string,
  call: () => Promise<string>,
  opts = { minCalls: 40, ms: 3000 },
): Promise<{ outputs: string[]; flips: number }> {
  const flipper = startFlipper(folder, target);
  const outputs: string[] = [];
  const started = Date.now();
  let flips = 0;
  try {
    while (outputs.length < opts.minCalls || Date.now() - started < opts.ms) outputs.push(await call());
  } finally {
    flips = await flipper.stop();
  }
  return { outputs, flips };
}

// ── search_files ──────────────────────────────────────────────────────────────────

test('attack paths-more.1: search_files over the repo with a symlinked FILE to ~/.ssh/id_rsa (plan mode)', async () => {
  const a = await attack('1', { mode: 'plan' });
  await a.link(a.home('.ssh/id_rsa'), 'src/key.txt');
  const [out] = await attempt(a, () => a.run(searchFilesTool, { pattern: 'SECRET' }));
  assert.match(out!, /No matches/);
});

test('attack paths-more.2: search_files over the repo with a symlinked FOLDER to the home', async () => {
  const a = await attack('2', { mode: 'plan' });
  await a.link(a.s.home, 'h');
  await a.link(a.home('.aws'), 'deep/er/aws');
  await attempt(a, () =>
    Promise.all([
      a.run(searchFilesTool, { pattern: 'SECRET' }),
      a.run(searchFilesTool, { pattern: 'SECRET', files_only: true }),
      a.run(searchFilesTool, { pattern: '.', glob: '**/credentials' }),
    ]),
  );
});

test('attack paths-more.3: search_files with path naming the link itself (keys -> ~/.ssh, key -> id_rsa)', async () => {
  const a = await attack('3', { mode: 'plan' });
  await a.link(a.home('.ssh'), 'keys');
  await a.link(a.home('.ssh/id_rsa'), 'key');
  const outs = await attempt(a, () =>
    Promise.all([
      a.run(searchFilesTool, { pattern: 'SECRET', path: 'keys' }),
      a.run(searchFilesTool, { pattern: 'SECRET', path: 'key' }),
      a.run(searchFilesTool, { pattern: 'SECRET', path: 'keys/../keys' }),
    ]),
  );
  for (const out of outs) assert.match(out, /outside the workspace/);
});

test('attack paths-more.4: search_files files_only as an oracle on a linked key (^SECRET-) finds nothing', async () => {
  const a = await attack('4', { mode: 'plan' });
  await a.link(a.home('.ssh/id_rsa'), 'id_rsa');
  await a.link(a.home('.ssh'), 'cfg/ssh');
  const outs = await attempt(a, () =>
    Promise.all([
      a.run(searchFilesTool, { pattern: '^SECRET-', files_only: true }),
      a.run(searchFilesTool, { pattern: '^SECRET-', files_only: true, glob: 'id_rsa' }),
    ]),
  );
  for (const out of outs) assert.match(out, /No matches/);
});

test('attack paths-more.5: race — search_files over the repo while d flips between a folder and ~/.ssh', async (t) => {
  const a = await attack('5', { mode: 'plan' });
  await fs.mkdir(a.repo('d'));
  await fs.writeFile(a.repo('d/id_rsa'), 'a workspace file, no key\n');
  let flips = 0;
  const outs = await attempt(a, async () => {
    const r = await race(a.repo('d'), a.home('.ssh'), () =>
      a.run(searchFilesTool, { pattern: 'SECRET|workspace file' }),
    );
    flips = r.flips;
    t.diagnostic(`${r.outputs.length} searches, ${r.flips} flips`);
    return r.outputs;
  });
  assert.ok(flips > 0, 'the flipper ran');
  assert.ok(
    outs.some((o) => o.includes('a workspace file')),
    'searches still work between flips',
  );
});

test('attack paths-more.6: race — search_files with path d (the flipping folder itself), files_only too', async (t) => {
  const a = await attack('6', { mode: 'plan' });
  await fs.mkdir(a.repo('d'));
  await fs.writeFile(a.repo('d/id_rsa'), 'a workspace file, no key\n');
  let n = 0;
  let flips = 0;
  await attempt(a, async () => {
    const r = await race(a.repo('d'), a.home('.ssh'), () =>
      a.run(searchFilesTool, { pattern: '^SECRET', path: 'd', files_only: n++ % 2 === 0 }),
    );
    flips = r.flips;
    t.diagnostic(`${r.outputs.length} searches, ${r.flips} flips`);
    for (const o of r.outputs) assert.ok(!/id_rsa/.test(o.split('\n')[0]!) || o.startsWith('ERROR'), o);
    return r.outputs;
  });
  assert.ok(flips > 0, 'the flipper ran');
});

test('attack paths-more.7: race — the pure-Node search walk while d flips to ~/.ssh', async (t) => {
  const a = await attack('7', { mode: 'plan' });
  await fs.mkdir(a.repo('d'));
  await fs.writeFile(a.repo('d/id_rsa'), 'a workspace file, no key\n');
  let flips = 0;
  await attempt(a, async () => {
    const r = await race(a.repo('d'), a.home('.ssh'), async () => {
      const { hits } = await nodeSearch({
        root: a.s.workspace,
        target: a.s.workspace,
        pattern: /SECRET|workspace/,
        filesOnly: false,
        maxHits: 50,
        signal: new AbortController().signal,
        read: (abs, max) => a.ctx.workspace.inspect(abs, max),
      });
      return JSON.stringify(hits);
    });
    flips = r.flips;
    t.diagnostic(`${r.outputs.length} walks, ${r.flips} flips`);
    return r.outputs;
  });
  assert.ok(flips > 0, 'the flipper ran');
});

// ── Skills ────────────────────────────────────────────────────────────────────────

/** A skill whose body holds the secret, planted in the home for a repo link to point at. */
function skillWithSecret(name: string, secret: string): string {
  return `---\nname: ${name}\ndescription: Notes\n---\n# Notes\n${secret}\n`;
}

async function skillTools(a: Attack) {
  const cairnHome = a.s.cairnHome;
  const catalog = await loadSkillCatalog({ cwd: a.s.workspace, home: cairnHome });
  const tools = createSkillTools({
    catalog,
    cwd: a.s.workspace,
    home: cairnHome,
    usage: new FileSkillUsage(cairnHome),
  });
  const byName = new Map(tools.map((t) => [t.name, t]));
  return { catalog, tool: (n: string) => byName.get(n)! };
}

async function plantProjectSkill(a: Attack, name: string): Promise<string> {
  const dir = a.repo(`.cairn/skills/${name}`);
  await fs.mkdir(path.join(dir, 'references'), { recursive: true });
  await fs.writeFile(
    path.join(dir, 'SKILL.md'),
    `---\nname: ${name}\ndescription: Test skill\n---\n# Steps\n`,
  );
  await fs.writeFile(path.join(dir, 'references/notes.md'), 'notes\n');
  return dir;
}

test('attack paths-more.8: a repo SKILL.md symlinked to a home file is never read (list, view, prompt)', async () => {
  const a = await attack('8', { mode: 'plan' });
  await fs.mkdir(a.home('notes'), { recursive: true });
  await fs.writeFile(a.home('notes/SKILL.md'), skillWithSecret('notes', a.s.secret));
  await a.link(a.home('notes/SKILL.md'), '.agents/skills/notes/SKILL.md');
  await a.link(a.home('.ssh/id_rsa'), '.claude/skills/key/SKILL.md');
  await attempt(a, async () => {
    const { catalog, tool } = await skillTools(a);
    assert.equal(catalog.get('notes'), undefined);
    return [
      JSON.stringify(catalog.skills),
      JSON.stringify(catalog.errors),
      await a.run(tool('skills_list'), {}),
      await a.run(tool('skill_view'), { name: 'notes' }),
    ];
  });
});

test('attack paths-more.9: a whole repo skills folder linked into the home (.claude -> ~/fake)', async () => {
  const a = await attack('9', { mode: 'plan' });
  await fs.mkdir(a.home('fake/skills/notes'), { recursive: true });
  await fs.writeFile(a.home('fake/skills/notes/SKILL.md'), skillWithSecret('notes', a.s.secret));
  await a.link(a.home('fake'), '.claude');
  await attempt(a, async () => {
    const { catalog, tool } = await skillTools(a);
    assert.equal(catalog.get('notes'), undefined);
    return [await a.run(tool('skills_list'), {}), await a.run(tool('skill_view'), { name: 'notes' })];
  });
});

test('attack paths-more.10: a skill’s linked file symlinked to ~/.ssh/id_rsa is not shown by skill_view', async () => {
  const a = await attack('10', { mode: 'plan' });
  const dir = await plantProjectSkill(a, 'deploy');
  await fs.symlink(a.home('.ssh/id_rsa'), path.join(dir, 'references/key.md'));
  await fs.symlink(a.home('.aws'), path.join(dir, 'assets'));
  const outs = await attempt(a, async () => {
    const { tool } = await skillTools(a);
    return [
      await a.run(tool('skill_view'), { name: 'deploy', file_path: 'references/key.md' }),
      await a.run(tool('skill_view'), { name: 'deploy', file_path: 'assets/credentials' }),
    ];
  });
  for (const out of outs) assert.match(out, /ERROR/);
});

test('attack paths-more.11: skill_manage patch probing a linked key with old_string gets no answer', async () => {
  const a = await attack('11');
  const dir = await plantProjectSkill(a, 'deploy');
  await fs.symlink(a.home('.ssh/id_rsa'), path.join(dir, 'references/key.md'));
  const outs = await attempt(a, async () => {
    const { tool } = await skillTools(a);
    const probe = (guess: string) =>
      a.run(tool('skill_manage'), {
        action: 'patch',
        name: 'deploy',
        file_path: 'references/key.md',
        old_string: guess,
        new_string: 'x',
      });
    return [await probe('SECRET-'), await probe('NOT-IN-THE-KEY')];
  });
  // A found/not-found difference would be an oracle on the key's content.
  assert.equal(outs[0]!.replace(/SECRET-/g, ''), outs[1]!.replace(/NOT-IN-THE-KEY/g, ''));
});

test('attack paths-more.12: skill delete approved, then .cairn swapped for a link to ~ before the answer', async () => {
  let a: Attack | undefined;
  a = await attack('12', {
    mode: 'ask',
    onAsk: async () => {
      // The home now has a folder of that name too: a delete that followed the link would remove it.
      await fs.mkdir(a!.home('skills/deploy'), { recursive: true });
      await fs.writeFile(a!.home('skills/deploy/SKILL.md'), 'the user\u2019s own file\n');
      await fs.rename(a!.repo('.cairn'), a!.repo('.cairn.parked'));
      await fs.symlink(a!.s.home, a!.repo('.cairn'));
    },
  });
  await plantProjectSkill(a, 'deploy');
  const { tool } = await skillTools(a);
  const before = await snapshot(a.s.home);
  try {
    const out = await a.run(tool('skill_manage'), { action: 'delete', name: 'deploy' });
    assert.match(out, /ERROR: .*not \(fully\) removed/);
    assert.equal(await fs.readFile(a.home('skills/deploy/SKILL.md'), 'utf8'), 'the user\u2019s own file\n');
    const after = await snapshot(a.s.home);
    for (const [p, v] of before) assert.equal(after.get(p), v, `${p} changed`);
  } finally {
    await a.s.cleanup();
  }
});

test('attack paths-more.13: skill remove_file approved, then references swapped for a link to ~/.ssh', async () => {
  let a: Attack | undefined;
  a = await attack('13', {
    mode: 'ask',
    onAsk: async () => {
      const refs = a!.repo('.cairn/skills/deploy/references');
      await fs.rename(refs, `${refs}.parked`);
      await fs.symlink(a!.home('.ssh'), refs);
    },
  });
  const dir = await plantProjectSkill(a, 'deploy');
  await fs.writeFile(path.join(dir, 'references/id_rsa'), 'placeholder\n');
  const { tool } = await skillTools(a);
  await attempt(a, () =>
    a!.run(tool('skill_manage'), { action: 'remove_file', name: 'deploy', file_path: 'references/id_rsa' }),
  );
});

test('attack paths-more.14: skill delete approved, then a folder INSIDE the skill swapped for a link to ~', async () => {
  let a: Attack | undefined;
  a = await attack('14', {
    mode: 'ask',
    onAsk: async () => {
      const refs = a!.repo('.cairn/skills/deploy/references');
      await fs.rm(refs, { recursive: true });
      await fs.symlink(a!.s.home, refs);
    },
  });
  await plantProjectSkill(a, 'deploy');
  const { tool } = await skillTools(a);
  const [out] = await attempt(a, () => a!.run(tool('skill_manage'), { action: 'delete', name: 'deploy' }));
  assert.doesNotMatch(out!, /ERROR/, 'the skill itself is deleted; only the link inside it is removed');
});

test('attack paths-more.15: skill_manage edit of a project SKILL.md symlinked to a home file', async () => {
  const a = await attack('15');
  await fs.mkdir(a.home('notes'), { recursive: true });
  await fs.writeFile(a.home('notes/SKILL.md'), skillWithSecret('deploy', a.s.secret));
  await a.link(a.home('notes/SKILL.md'), '.cairn/skills/deploy/SKILL.md');
  await attempt(a, async () => {
    const { tool } = await skillTools(a);
    return [
      await a.run(tool('skill_manage'), {
        action: 'edit',
        name: 'deploy',
        scope: 'project',
        content: '---\nname: deploy\ndescription: x\n---\nPWNED\n',
      }),
      await a.run(tool('skill_manage'), { action: 'delete', name: 'deploy', scope: 'project' }),
    ];
  });
});

// ── The VS Code extension's side of fs/read_text_file and fs/write_text_file ────────

/** The extension's request handlers over a fake editor that, like VS Code, opens paths by name. */
function editor(a: Attack, opts: { onShow?: (r: PendingReview) => Promise<void> } = {}) {
  const written: string[] = [];
  const env: AgentRequestsEnvironment = {
    workspaceRoot: () => a.s.workspace,
    workspaceFolders: () => [a.s.workspace],
    openDocumentText: () => undefined,
    autoApprove: () => ({ reads: false, edits: false }),
    readText: (p) => fs.readFile(p, 'utf8'),
    reviews: {
      snapshot: async (p) =>
        fs.readFile(p, 'utf8').then(
          (text) => ({ text, exists: true, dirty: false }),
          () => ({ text: '', exists: false, dirty: false }),
        ),
      relativePath: (p) => path.relative(a.s.workspace, p),
      show: async (r) => {
        await opts.onShow?.(r);
        void requests.reviews.accept(r.reviewId).catch(() => undefined);
      },
      refresh: () => undefined,
      apply: async (r) => {
        written.push(r.path);
        await fs.writeFile(r.path, r.newText);
      },
      close: () => undefined,
    },
    terminalStarted: () => undefined,
    attentionNeeded: () => undefined,
    log: () => undefined,
  };
  const requests = new AgentRequests(env, {
    notify: () => undefined,
    stateChanged: () => undefined,
    reportError: () => undefined,
    editToolCallFor: () => null,
  });
  const read = (p: string) =>
    requests.readTextFile({ sessionId: 's', path: p }).then(
      (r) => r.content,
      (err: Error) => `ERROR: ${err.message}`,
    );
  const write = (p: string, content = 'PWNED\n') =>
    requests.writeTextFile({ sessionId: 's', path: p, content }).then(
      () => 'written',
      (err: Error) => `ERROR: ${err.message}`,
    );
  return { read, write, written };
}

test('attack paths-more.16: extension fs/read_text_file of a repo symlink to ~/.ssh/id_rsa', async () => {
  const a = await attack('16');
  await a.link(a.home('.ssh/id_rsa'), 'key.pem');
  const ed = editor(a);
  const [out] = await attempt(a, () => ed.read(a.repo('key.pem')));
  assert.match(out!, /Refused/);
});

test('attack paths-more.17: extension fs/read_text_file through a symlinked parent, .., and an absolute home path', async () => {
  const a = await attack('17');
  await a.link(a.home('.aws'), 'cfg/aws');
  const ed = editor(a);
  const outs = await attempt(a, () =>
    Promise.all([
      ed.read(a.repo('cfg/aws/credentials')),
      ed.read(`${a.s.workspace}/../home/.netrc`),
      ed.read(a.home('.ssh/id_ed25519')),
      ed.read('relative/path.txt'),
    ]),
  );
  for (const out of outs) assert.match(out, /Refused/);
});

test('attack paths-more.18: extension fs/write_text_file through a dangling link and a linked parent', async () => {
  const a = await attack('18');
  await a.link(a.home('.bash_aliases'), 'docs/CHANGELOG.md');
  await a.link(a.home('.config'), 'conf');
  const ed = editor(a);
  const outs = await attempt(a, () =>
    Promise.all([
      ed.write(a.repo('docs/CHANGELOG.md')),
      ed.write(a.repo('conf/autostart/x.desktop')),
      ed.write(a.home('.profile')),
    ]),
  );
  for (const out of outs) assert.match(out, /Refused/);
  assert.deepEqual(ed.written, []);
});

test('attack paths-more.19: extension write reviewed, then its parent swapped for a link to ~ before Accept', async () => {
  let a: Attack | undefined;
  a = await attack('19');
  await fs.mkdir(a.repo('src'));
  const ed = editor(a, {
    onShow: async () => {
      await fs.rename(a!.repo('src'), a!.repo('src.parked'));
      await fs.symlink(a!.s.home, a!.repo('src'));
    },
  });
  const [out] = await attempt(a, () => ed.write(a!.repo('src/.bashrc')));
  assert.match(out!, /Refused/);
  assert.deepEqual(ed.written, []);
});

test('attack paths-more.20: race — extension fs/read_text_file while d flips between a folder and ~/.ssh', async (t) => {
  const a = await attack('20');
  await fs.mkdir(a.repo('d'));
  await fs.writeFile(a.repo('d/id_rsa'), 'a workspace file, no key\n');
  const ed = editor(a);
  let flips = 0;
  const outs = await attempt(a, async () => {
    const r = await race(a.repo('d'), a.home('.ssh'), () => ed.read(a.repo('d/id_rsa')), {
      minCalls: 300,
      ms: 3000,
    });
    flips = r.flips;
    t.diagnostic(`${r.outputs.length} reads, ${r.flips} flips`);
    return r.outputs;
  });
  assert.ok(flips > 0, 'the flipper ran');
  assert.ok(
    outs.some((o) => o.includes('a workspace file')),
    'reads still work between flips',
  );
});
