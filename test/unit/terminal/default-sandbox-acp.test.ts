import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { startScriptedModel } from '../../fixtures/model-server.js';
import { AcpHarness, serverJs } from '../../helpers/acp-harness.js';
import { cleanEnv } from '../../helpers/env.js';

// The default install (no terminal settings) through the built `cairn acp`, driven like an
// editor: the model's command runs sandboxed and can touch only the workspace.

const bwrapMissing = spawnSync('bwrap', ['--version']).error !== undefined;
if (bwrapMissing && process.env.CI)
  throw new Error('bubblewrap (bwrap) is required in CI but is not installed.');
const skip = bwrapMissing
  ? 'bubblewrap (bwrap) is not installed'
  : !existsSync(serverJs)
    ? `${serverJs} is not built (npm run build)`
    : false;
if (skip) console.log(`# skipping: ${skip}`);

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test(
  'by default the agent runs commands in a sandbox that can touch only the workspace',
  { skip },
  async () => {
    // Outside /tmp, which the sandbox replaces: these must be hidden or read-only for the right reason.
    const base = await fs.realpath(await fs.mkdtemp('/var/tmp/cairn-default-sandbox-'));
    cleanups.push(() => fs.rm(base, { recursive: true, force: true }));
    const repo = path.join(base, 'repo');
    const home = path.join(base, 'home');
    const cairnHome = path.join(home, '.cairn');
    const outside = path.join(base, 'outside');
    for (const d of [repo, outside, path.join(home, '.ssh'), cairnHome])
      await fs.mkdir(d, { recursive: true });
    await fs.writeFile(path.join(home, '.ssh', 'id_ed25519'), 'PRIVATE-KEY-MATERIAL\n');
    await fs.writeFile(path.join(cairnHome, 'config.json'), '{}\n');

    const command =
      `echo inside > made.txt && echo "made=$?"; ` +
      `echo x > ${outside}/escape.txt; echo "escape=$?"; ` +
      `cat ${home}/.ssh/id_ed25519; echo "ssh=$?"; ` +
      `echo "key=[$OPENAI_API_KEY]"`;
    const model = await startScriptedModel([
      { toolCalls: [{ name: 'terminal', arguments: { command } }] },
      { text: 'Done.' },
    ]);
    cleanups.push(() => model.close());
    const agent = await AcpHarness.start({
      env: cleanEnv({
        CAIRN_HOME: cairnHome,
        HOME: home,
        OPENAI_BASE_URL: model.url,
        CAIRN_MODEL: 'scripted',
        OPENAI_API_KEY: 'sk-test-not-real',
      }),
    });
    cleanups.push(() => agent.close());

    await agent.request('initialize', { protocolVersion: 1, clientCapabilities: {} });
    const { sessionId } = await agent.newSession(repo);
    const res = await agent.prompt(sessionId, 'try the sandbox');
    assert.equal(res.stopReason, 'end_turn');

    // The command asked first (ask mode is the default) with an execute-kind request.
    assert.equal(agent.permissions.length, 1);
    assert.equal(agent.permissions[0]!.toolCall.kind, 'execute');

    const told = model.requests[1]!.messages.find((m) => m.role === 'tool');
    const output = String(told?.content);
    assert.match(output, /made=0/);
    assert.equal(await fs.readFile(path.join(repo, 'made.txt'), 'utf8'), 'inside\n');
    assert.match(output, /escape=[1-9]/);
    assert.match(output, /Read-only file system/);
    assert.ok(!existsSync(path.join(outside, 'escape.txt')));
    assert.match(output, /ssh=[1-9]/);
    assert.doesNotMatch(output, /PRIVATE-KEY-MATERIAL/);
    assert.match(output, /key=\[\]/);
  },
);
