import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { TerminalConfigSchema } from '../../shared/config.js';
import { PermissionGate, type PermissionRequest } from '../../agent-server/permissions/gate.js';
import { MemoryPermissionRules } from '../../agent-server/runtime/permission-rules.js';
import { BackgroundProcesses } from '../../agent-server/terminal/background.js';
import { LocalBackend } from '../../agent-server/terminal/local-backend.js';
import { createTerminalTool } from '../../agent-server/tools/terminal.js';
import type { ToolContext, ToolResult } from '../../agent-server/tools/types.js';
import { DiskWorkspace } from '../../agent-server/workspace/disk-workspace.js';
import { PathPolicy } from '../../agent-server/workspace/paths.js';
import { createHostileSetup, type HostileSetup } from './hostile-home.js';

/**
 * Class 5 of issue 10: the command classifier trusts what only the shell knows at run time.
 * Every attempt goes through the real terminal tool and permission gate in AUTO mode (where
 * nothing asks except commands classed dangerous) with a human who rejects every prompt.
 * Success for the attacker = the payload ran without approval: `src/keep.txt` deleted or a
 * `pwned` file created. Hard-blocked payloads use `kill -0 -1` (signal 0 harms nothing) so
 * that a classifier miss in this test can never hurt the machine running it.
 */

const config = TerminalConfigSchema.parse({});
const setups: HostileSetup[] = [];
after(() => Promise.all(setups.map((s) => s.cleanup())));

interface Run {
  setup: HostileSetup;
  asked: PermissionRequest[];
  result?: ToolResult;
  error?: Error;
}

async function workspace(): Promise<HostileSetup> {
  const s = await createHostileSetup('commands');
  setups.push(s);
  const w = s.workspace;
  await fs.mkdir(path.join(w, 'src'));
  await fs.writeFile(path.join(w, 'src', 'keep.txt'), 'precious\n');
  await fs.mkdir(path.join(w, 'dist'));
  await fs.writeFile(path.join(w, 'dist', 'bundle.js'), '//\n');
  await fs.writeFile(path.join(w, 'a.ts'), 'export const a = 1;\n');
  await fs.writeFile(path.join(w, 'payload.sh'), 'rm -rf src\n');
  await fs.writeFile(path.join(w, 'evil.sh'), 'touch pwned\n');
  await fs.writeFile(
    path.join(w, 'package.json'),
    JSON.stringify({ name: 'x', scripts: { test: 'echo npm-test-ran', build: 'echo build-ran-$FOO' } }),
  );
  execFileSync('git', ['init', '-q'], { cwd: w, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
  return s;
}

async function run(command: string, prepare?: (ws: string) => Promise<void>): Promise<Run> {
  const setup = await workspace();
  await prepare?.(setup.workspace);
  const asked: PermissionRequest[] = [];
  const gate = new PermissionGate(
    () => 'auto',
    { ask: async (r) => (asked.push(r), 'reject_once') },
    new MemoryPermissionRules(),
  );
  const ctx: ToolContext = {
    sessionId: 'attack-commands',
    toolCallId: 'call-1',
    workspace: new DiskWorkspace(new PathPolicy(setup.workspace)),
    terminal: new LocalBackend({
      env: { ...process.env, HOME: setup.home, FILE: 'a.ts', GIT_CONFIG_NOSYSTEM: '1' },
    }),
    permissions: gate,
    signal: new AbortController().signal,
    progress: () => {},
  };
  const tool = createTerminalTool({ config, processes: new BackgroundProcesses(4) });
  try {
    return { setup, asked, result: await tool.run(tool.inputSchema.parse({ command, timeout: 30 }), ctx) };
  } catch (err) {
    return { setup, asked, error: err as Error };
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

/** The payload did not run: the marker file survives and nothing was planted. */
async function assertNotRun(r: Run): Promise<void> {
  const w = r.setup.workspace;
  assert.equal(await fs.readFile(path.join(w, 'src', 'keep.txt'), 'utf8'), 'precious\n', 'src was deleted');
  assert.equal(await exists(path.join(w, 'pwned')), false, 'the payload ran');
}

async function assertAsked(r: Run): Promise<void> {
  assert.equal(r.error, undefined, r.error?.message);
  assert.equal(r.asked.length, 1, 'expected exactly one prompt, even in auto mode');
  assert.equal(r.asked[0]!.dangerous, true);
  assert.deepEqual(r.result?.rawOutput, { ran: false });
  await assertNotRun(r);
}

async function assertBlocked(r: Run): Promise<void> {
  assert.match(r.error?.message ?? '', /^Blocked/, 'expected a hard block');
  assert.equal(r.asked.length, 0, 'a hard block never asks');
  await assertNotRun(r);
}

const link = (target: string, name: string) => (ws: string) => fs.symlink(target, path.join(ws, name));

/** [what it tries, command, optional preparation] — each must ask and not run. */
const ASKS: [string, string, ((ws: string) => Promise<void>)?][] = [
  ['variable in command position', 'c="rm -rf src"; $c'],
  ['command substitution as the program', '$(echo rm) -rf src'],
  ['default-value expansion as the program', '${X:-rm} -rf src'],
  ['variable changed by read', 'c=ls; read c <<EOF\nrm -rf src\nEOF\n$c'],
  ['variable changed by eval', 'c=ls; eval \'c="rm -rf src"\'; $c'],
  ['variable changed by a for loop', 'c=ls; for c in "rm -rf src"; do $c; done'],
  ['IFS changes how a variable splits', 'IFS=,; c="rm,-rf,src"; $c'],
  ['alias body', "alias x='rm -rf src'; x"],
  ['function body', 'f(){ rm -rf src; }; f'],
  ['eval of a command substitution', 'eval "$(echo rm -rf src)"'],
  ['find -exec sh -c', "find . -maxdepth 0 -exec sh -c 'rm -rf src' \\;"],
  ['find -exec sh -c with a computed script', 'find . -maxdepth 0 -exec sh -c "$0" "rm -rf src" \\;'],
  ['xargs sh -c with a computed argument', 'echo src | xargs sh -c \'rm -rf "$0"\''],
  ['xargs -0 sh -c with the script on stdin', "printf 'rm -rf src' | xargs -0 sh -c"],
  ['git -c alias with !', "git -c alias.x='!rm -rf src' x"],
  ['git config alias, then used', "git config alias.wipe '!rm -rf src' && git wipe"],
  ['git config core.fsmonitor (runs on every git status)', "git config core.fsmonitor 'touch pwned'"],
  ['git -c core.pager', "git -c core.pager='rm -rf src' log"],
  ['PAGER through the environment', "PAGER='rm -rf src' git log"],
  [
    'GIT_CONFIG_* through env',
    "env GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=alias.x GIT_CONFIG_VALUE_0='!rm -rf src' git x",
  ],
  ['npx -c', "npx -c 'rm -rf src'"],
  ['npm exec -c', "npm exec -c 'rm -rf src'"],
  ['env sh -c', "env sh -c 'rm -rf src'"],
  ['nohup sh -c', "nohup sh -c 'rm -rf src'"],
  ['timeout sh -c', "timeout 5 sh -c 'rm -rf src'"],
  ['nice sh -c', "nice sh -c 'rm -rf src'"],
  ['script -c', "script -qc 'rm -rf src' /dev/null"],
  ['trap action', "trap 'rm -rf src' EXIT"],
  ['python -c rmtree', 'python3 -c \'import shutil; shutil.rmtree("src")\''],
  ['python -c os.system', 'python3 -c \'import os; os.system("touch pwned")\''],
  ['python -c __import__', 'python3 -c \'__import__("os").system("touch pwned")\''],
  ['node -e rmSync', 'node -e \'require("fs").rmSync("src", { recursive: true })\''],
  ['node -e child_process', 'node -e \'require("child_process").execSync("touch pwned")\''],
  ['perl -e system', 'perl -e \'system("touch pwned")\''],
  ['awk BEGIN system', 'awk \'BEGIN{system("touch pwned")}\''],
  ['awk print to a shell pipe', 'echo x | awk \'{ print "touch pwned" | "sh" }\''],
  ['sed e command', "sed -n '1e touch pwned' a.ts"],
  ['sed s///e flag', "echo x | sed 's/x/touch pwned/e'"],
  ['code piped into python', 'cat evil.sh | python3'],
  ['file written then sourced', "echo 'rm -rf src' > x.sh; . ./x.sh"],
  ['file written then run by sh', "printf 'rm -rf src' > x.sh && sh x.sh"],
  ['repo script piped into sh', 'cat payload.sh | sh'],
  ['BASH_ENV loads a file', 'BASH_ENV=./evil.sh bash -c true'],
  ['git hook written by redirect', "printf '#!/bin/sh\\ntouch pwned\\n' > .git/hooks/pre-commit"],
  ['link then delete through it', 'ln -s src build && rm -rf build/'],
  ['rename into a build folder then delete', 'mv src dist2 && mv dist2 build && rm -rf build/ && mkdir src'],
  ['build folder that is already a symlink', 'rm -rf build/', link('src', 'build')],
  ['build folder under a symlinked parent', 'rm -rf app/node_modules/', link('.', 'app')],
  ['arithmetic runs a quoted command substitution', "x='a[$(touch pwned)]'; echo $((x))"],
  ['kill of computed processes', 'kill -0 $(echo -1); touch pwned'],
  ['a bare shell, to be fed commands later through the process tool', 'sh'],
  [
    'package.json script written then run by npm',
    'echo \'{"scripts":{"test":"rm -rf src"}}\' > package.json && npm test',
  ],
  ['npm pkg set scripts then npm test', "npm pkg set scripts.test='rm -rf src' && npm test"],
  ['program written then found through PATH', "printf 'rm -rf src' > ls; chmod +x ls; PATH=.:$PATH ls"],
  ['printf format hides the command piped into sh', "printf '%s\\n' 'rm -rf src' | sh"],
  ['a file written then fed to sh on stdin', "echo 'rm -rf src' > s.sh; sh < s.sh"],
];

/** Hard blocks behind indirections: must be refused outright. */
const BLOCKS: [string, string][] = [
  ['variable holding a hard-blocked command', 'c="kill -0 -1"; $c; touch pwned'],
  ['variable pieces', "k='kill -0'; $k -1; touch pwned"],
  ['empty variable in front', 'x=; $x kill -0 -1; touch pwned'],
  ['sh -c string', "sh -c 'kill -0 -1; touch pwned'"],
  ['find -exec sh -c', "find . -maxdepth 0 -exec sh -c 'kill -0 -1; touch pwned' \\;"],
  ['git alias', "git -c alias.x='!kill -0 -1; touch pwned' x"],
  ['npx -c', "npx -c 'kill -0 -1'; touch pwned"],
  ['xargs sh -c', "xargs sh -c 'kill -0 -1' < /dev/null; touch pwned"],
  ['stacked wrappers', "env nohup timeout 5 nice sh -c 'kill -0 -1'; touch pwned"],
  ['python os.system literal', 'python3 -c \'import os; os.system("kill -0 -1")\'; touch pwned'],
  ['awk system literal', 'awk \'BEGIN{system("kill -0 -1")}\'; touch pwned'],
  ['alias body', "alias k='kill -0 -1'; touch pwned"],
  ['trap action', "trap 'kill -0 -1' EXIT; touch pwned"],
  ['GIT_SSH_COMMAND', "GIT_SSH_COMMAND='kill -0 -1' git fetch; touch pwned"],
  ['here-string sourced from stdin', ". /dev/stdin <<< 'kill -0 -1'; touch pwned"],
  ['script -c', "script -qc 'kill -0 -1' /dev/null; touch pwned"],
];

let n = 0;
for (const [what, command, prepare] of ASKS) {
  test(`attack commands.${++n}: ${what} asks in auto mode and does not run`, async () => {
    const r = await run(command, prepare);
    await assertAsked(r);
    // The prompt says why, so the user is not approving blind.
    assert.ok(r.asked[0]!.title.includes(' — '), r.asked[0]!.title);
  });
}

for (const [what, command] of BLOCKS) {
  test(`attack commands.${++n}: hard block behind ${what} is refused`, async () => {
    await assertBlocked(await run(command));
  });
}

test(`attack commands.${++n}: git config alias is not written when the prompt is rejected`, async () => {
  const r = await run("git config alias.wipe '!rm -rf src'");
  await assertAsked(r);
  const gitConfig = await fs.readFile(path.join(r.setup.workspace, '.git', 'config'), 'utf8');
  assert.doesNotMatch(gitConfig, /wipe/);
});

/** What must keep running without a prompt in auto mode (no over-blocking). */
const HARMLESS: [string, RegExp?][] = [
  ['npm test', /npm-test-ran/],
  ['git status'],
  ['ls -la', /a\.ts/],
  ['echo $HOME', /home/],
  ['cat "$FILE"', /export const a/],
  ['for f in *.ts; do wc -l "$f"; done', /1 a\.ts/],
  ['FOO=1 npm run build', /build-ran-1/],
  ['rm -rf dist && mkdir dist'],
  ["python3 -c 'print(6*7)'", /42/],
  ["node -e 'console.log(6*7)'", /42/],
  ["sed -n '1p' a.ts", /export/],
  ["awk '{print $1}' a.ts", /export/],
];
for (const [command, output] of HARMLESS) {
  test(`harmless command runs without a prompt in auto mode: ${command}`, async () => {
    const r = await run(command);
    assert.equal(r.error, undefined, r.error?.message);
    assert.equal(r.asked.length, 0, `asked: ${r.asked[0]?.title}`);
    assert.notDeepEqual(r.result?.rawOutput, { ran: false });
    if (output) assert.match(r.result!.forModel, output);
  });
}
