import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { startScriptedModel, type Script } from '../fixtures/model-server.js';
import { repoRoot } from '../helpers/acp-harness.js';
import { cleanEnv, tempDir, writeFiles } from '../helpers/env.js';

// The npm package `cairn-agent` from its tarball alone: packed by `scripts/pack-agent.mjs`,
// copied out of the repository, installed into an empty prefix (and run through `npx`), then
// driven by a third-party ACP client (acpx). Nothing the agent runs can reach the
// repository's node_modules: it lives in a temp folder, with NODE_PATH empty and the repo's
// `.bin` off PATH.

const run = promisify(execFile);
const acpx = path.join(repoRoot, 'node_modules', 'acpx', 'dist', 'cli.js');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const version = (
  JSON.parse(await fs.readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }
).version;

let work = '';
let tarball = '';
before(async () => {
  work = await tempDir('package');
  const { stdout } = await run(
    process.execPath,
    [path.join(repoRoot, 'scripts', 'pack-agent.mjs'), '--no-build', '--out', path.join(work, 'pack')],
    { cwd: repoRoot },
  );
  // Only the tarball leaves the repository.
  tarball = path.join(work, path.basename(stdout.trim()));
  await fs.copyFile(stdout.trim(), tarball);
  await fs.rm(path.join(work, 'pack'), { recursive: true, force: true });
});
after(async () => {
  if (work) await fs.rm(work, { recursive: true, force: true });
});

/** An environment with nothing from the repository: no npm_* from `npm test`, no repo paths. */
function isolatedEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env = cleanEnv(overrides);
  for (const k of Object.keys(env)) if (/^npm_/i.test(k) && !(k in overrides)) delete env[k];
  env.PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((p) => p && !path.resolve(p).startsWith(repoRoot))
    .join(path.delimiter);
  env.NODE_PATH = '';
  return env;
}

/** `initialize` over stdio; returns the agent's `agentInfo.version`. */
async function agentInfoVersion(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const child = spawn(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'ignore'] });
  try {
    child.stdin.write(
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: 1 } }) + '\n',
    );
    for await (const line of createInterface({ input: child.stdout })) {
      const msg = JSON.parse(line) as { id?: number; result?: { agentInfo?: { version?: string } } };
      if (msg.id === 1) return msg.result?.agentInfo?.version;
    }
    return undefined;
  } finally {
    child.kill();
  }
}

interface Update {
  sessionUpdate: string;
  status?: string;
  content?: unknown;
}

/** Runs one `acpx exec` against `agentCommand`; returns the session updates it printed. */
async function driveWithAcpx(
  agentCommand: string,
  workspace: string,
  env: NodeJS.ProcessEnv,
): Promise<Update[]> {
  const { stdout } = await run(
    process.execPath,
    [acpx, '--agent', agentCommand, '--approve-all', '--format', 'json', 'exec', 'raise the limit to 50'],
    { cwd: workspace, env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { method?: string; params?: { update?: Update } })
    .filter((m) => m.method === 'session/update' && m.params?.update)
    .map((m) => m.params!.update!);
}

/** A session that uses the bundled skills, search (ripgrep or the fallback), and an edit. */
const script: Script = [
  { toolCalls: [{ name: 'skills_list', arguments: {} }] },
  { toolCalls: [{ name: 'search_files', arguments: { pattern: 'limit = \\d+' } }] },
  {
    toolCalls: [
      {
        name: 'edit_file',
        arguments: { path: 'config.ini', old_string: 'limit = 10', new_string: 'limit = 50' },
      },
    ],
  },
  { text: 'The limit is now 50.' },
];

function completedWith(updates: Update[], needle: string): boolean {
  return updates.some(
    (u) =>
      u.sessionUpdate === 'tool_call_update' &&
      u.status === 'completed' &&
      JSON.stringify(u).includes(needle),
  );
}

async function session(agentCommand: string, env: Record<string, string>) {
  const model = await startScriptedModel(script);
  try {
    const workspace = path.join(work, `workspace-${Math.random().toString(36).slice(2)}`);
    const home = path.join(work, `home-${Math.random().toString(36).slice(2)}`);
    await writeFiles(workspace, { 'config.ini': '[server]\nlimit = 10\n' });
    await writeFiles(home, { 'config.json': JSON.stringify({ terminal: { backend: 'local' } }) });
    const updates = await driveWithAcpx(
      agentCommand,
      workspace,
      isolatedEnv({
        ...env,
        CAIRN_HOME: home,
        HOME: home,
        OPENAI_BASE_URL: model.url,
        CAIRN_MODEL: 'scripted',
        OPENAI_API_KEY: 'sk-test',
      }),
    );
    assert.equal(await fs.readFile(path.join(workspace, 'config.ini'), 'utf8'), '[server]\nlimit = 50\n');
    assert.ok(completedWith(updates, 'systematic-debugging'), 'the bundled skills are listed');
    assert.ok(completedWith(updates, 'config.ini'), 'search_files found the line');
    assert.ok(
      updates.some((u) => u.sessionUpdate === 'agent_message_chunk' && JSON.stringify(u).includes('now 50')),
      'the answer reached the client',
    );
    // The history index (sql.js and its wasm, from the package) recorded the session.
    const historyFiles = await fs.readdir(path.join(home, 'history')).catch(() => [] as string[]);
    assert.ok(historyFiles.length > 0, `history written in ${home}`);
  } finally {
    await model.close();
  }
}

test('the VSIX is Marketplace-ready: vsce packages it without a warning, with what runs and nothing else', async () => {
  const manifest = JSON.parse(await fs.readFile(path.join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
    engines: { vscode: string };
    devDependencies: Record<string, string>;
  } & Record<string, unknown>;
  // The same arguments as `npm run package`, with the VSIX written to the temp folder.
  const args = manifest.scripts.package!.split(' vsce ')[1]!.split(' ');
  const vsix = path.join(work, 'cairn.vsix');
  args[args.indexOf('--out') + 1] = vsix;
  const packed = await run(path.join(repoRoot, 'node_modules', '.bin', 'vsce'), args, {
    cwd: repoRoot,
    timeout: 240_000,
  });
  assert.doesNotMatch(packed.stdout + packed.stderr, /WARN/i);

  const { stdout: listing } = await run('unzip', ['-Z1', vsix]);
  const files = listing.split('\n').filter(Boolean);
  for (const f of [
    'extension/package.json',
    'extension/readme.md',
    'extension/changelog.md',
    'extension/LICENSE.txt',
    'extension/media/icon.png',
    'extension/media/cairn.svg',
    'extension/dist/cairn.js',
    'extension/dist/extension.cjs',
    'extension/dist/webview.js',
    'extension/dist/webview.css',
    'extension/dist/sql-wasm.wasm',
    'extension/skills/systematic-debugging/SKILL.md',
  ])
    assert.ok(files.includes(f), `${f} is in the VSIX`);
  assert.deepEqual(
    files.filter((f) => /\.map$|\.ts$|node_modules|cairn-agent|\/bin\/rg|\.tgz$|\/test\//.test(f)),
    [],
    'no source maps, sources, dependencies, npm package or ripgrep',
  );
  const size = (await fs.stat(vsix)).size;
  console.log(`VSIX: ${(size / 1024 / 1024).toFixed(2)} MB, ${files.length} files`);
  assert.ok(size < 3 * 1024 * 1024, `the VSIX stays under 3 MB (${size} bytes)`);

  const unzip = async (f: string) => (await run('unzip', ['-p', vsix, f], { encoding: 'buffer' })).stdout;
  assert.match(
    (await unzip('extension/readme.md')).toString(),
    /Set up in three steps/,
    'the Marketplace README',
  );
  const icon = await unzip('extension/media/icon.png');
  assert.equal(icon.subarray(1, 4).toString(), 'PNG');
  assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128], 'a 128×128 icon');
  const shipped = JSON.parse((await unzip('extension/package.json')).toString()) as Record<string, unknown>;
  assert.deepEqual(shipped.extensionKind, ['workspace'], 'runs where the workspace is');
  assert.equal(shipped.icon, 'media/icon.png');
  assert.ok(shipped.galleryBanner && (shipped.keywords as string[]).length > 0);
  // The API the extension compiles against is the oldest it claims to support.
  const minimum = (range: string) => range.replace(/^[\^~>=]+/, '');
  assert.equal(minimum(manifest.engines.vscode), minimum(manifest.devDependencies['@types/vscode']!));
});

test('the tarball holds the bundle, its wasm and the skills, and needs nothing but Node', async () => {
  const { stdout } = await run('tar', ['-tzf', tarball]);
  const files = stdout.split('\n').filter(Boolean);
  for (const f of [
    'package/package.json',
    'package/dist/cairn.js',
    'package/dist/sql-wasm.wasm',
    'package/skills/systematic-debugging/SKILL.md',
    'package/README.md',
    'package/LICENSE',
  ])
    assert.ok(files.includes(f), `${f} is packed`);
  assert.ok(files.some((f) => /^package\/dist\/chunks\/.+\.js$/.test(f)));
  assert.deepEqual(
    files.filter((f) => f.endsWith('.map') || f.includes('node_modules') || f.includes('.ts')),
    [],
  );
  const { stdout: manifestText } = await run('tar', ['-xzOf', tarball, 'package/package.json']);
  const manifest = JSON.parse(manifestText) as Record<string, unknown>;
  assert.equal(manifest.name, 'cairn-agent');
  assert.equal(manifest.version, version);
  assert.deepEqual(manifest.bin, { cairn: 'dist/cairn.js' });
  assert.equal(manifest.dependencies, undefined, 'everything is bundled');
  assert.equal(manifest.scripts, undefined, 'no install scripts');
  for (const name of Object.keys((manifest.optionalDependencies ?? {}) as object))
    assert.match(name, /^@vscode\/ripgrep-/);
  assert.ok((await fs.stat(tarball)).size < 5 * 1024 * 1024, 'under 5 MB packed');
});

test('installed into an empty prefix: `cairn --version` = agentInfo.version, and acpx drives `cairn acp`', async () => {
  const prefix = path.join(work, 'prefix');
  const env = isolatedEnv({ npm_config_cache: path.join(work, 'npm-cache-global') });
  await run(npm, ['install', '-g', '--prefix', prefix, tarball, '--no-audit', '--no-fund'], {
    cwd: work,
    env,
    timeout: 240_000,
  });
  const cairn = path.join(prefix, 'bin', 'cairn');
  const { stdout } = await run(cairn, ['--version'], { cwd: work, env });
  assert.equal(stdout.trim(), version);
  assert.equal(await agentInfoVersion(cairn, ['acp'], env, work), version);
  // ripgrep arrives as the optional platform package (a registry tarball, no install script).
  const ripgrep = path.join(prefix, 'lib', 'node_modules', 'cairn-agent', 'node_modules', '@vscode');
  assert.deepEqual(await fs.readdir(ripgrep), [`ripgrep-${process.platform}-${process.arch}`]);
  await session(`${cairn} acp`, {});
});

test('npx from the tarball, without the optional ripgrep: acpx drives `cairn acp`', async () => {
  const cache = path.join(work, 'npm-cache-npx');
  await session(`${npx} --yes --package ${tarball} -- cairn acp`, {
    npm_config_cache: cache,
    npm_config_omit: 'optional',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  });
  // Search ran on the built-in walk: npx installed no ripgrep.
  const [install] = await fs.readdir(path.join(cache, '_npx'));
  const installed = await fs.readdir(path.join(cache, '_npx', install!, 'node_modules'));
  assert.ok(installed.includes('cairn-agent') && !installed.includes('@vscode'), installed.join(', '));
});
