// Batch tasks dispatched to hosts over SSH: `cairn run --task FILE --out DIR` on each host
// through the ssh terminal backend, tested against a loopback sshd with this checkout's
// built dist/cairn.js standing in for Cairn installed on the host.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readResults, runBatch } from '../../../agent-server/batch/batch-runner.js';
import {
  parseHostList,
  parseHostsFile,
  parseRemoteOutput,
  remoteTaskCommand,
  taskForHost,
  type BatchHost,
} from '../../../agent-server/batch/ssh-dispatch.js';
import { JournalHistoryStore } from '../../../agent-server/history/index.js';
import { startScriptedModel, type ScriptedModel } from '../../fixtures/model-server.js';
import { ScriptedModelClient } from '../../fixtures/scripted-model-client.js';
import { serverJs } from '../../helpers/acp-harness.js';
import { runtimeFixture, type RuntimeFixture } from '../../helpers/runtime-session.js';
import { tempDir, writeFiles } from '../../helpers/env.js';
import { sshdAvailable, startSshd, type LocalSshd } from '../terminal/sshd.js';

const missing = !sshdAvailable()
  ? 'OpenSSH server/client not installed or not root'
  : !existsSync(serverJs)
    ? 'dist/cairn.js not built'
    : '';
if (missing && process.env.CI) throw new Error(`ssh dispatch test cannot run: ${missing}`);
if (missing) console.log(`# skipping ssh dispatch: ${missing}`);

describe('hosts and remote output', () => {
  it('parses --hosts and a hosts file; refuses credentials and option-looking hosts', () => {
    assert.deepEqual(
      parseHostList('ci@build1, build2:2222').map((h) => [h.user, h.host, h.port, h.cairn, h.workDir]),
      [
        ['ci', 'build1', 22, 'cairn', '.cairn-batch'],
        [undefined, 'build2', 2222, 'cairn', '.cairn-batch'],
      ],
    );
    assert.throws(() => parseHostList('-oProxyCommand=x'), /not user@host/);
    assert.throws(
      () => parseHostsFile(JSON.stringify([{ host: 'h', env: { OPENAI_API_KEY: 'sk-x' } }])),
      /credentials do not go in a hosts file/,
    );
    assert.throws(() => parseHostsFile(JSON.stringify([{ host: 'h', bogus: 1 }])), /bogus|Unrecognized/);
    const [h] = parseHostsFile(JSON.stringify([{ host: 'h', cairn: 'node /opt/c.js', baseDir: '/src' }]));
    assert.equal(h?.cairn, 'node /opt/c.js');
    assert.deepEqual(taskForHost({ id: 't', prompt: 'p', cwd: 'pkg' }, h!).cwd, '/src/pkg');
    assert.throws(
      () => taskForHost({ id: 't', prompt: 'p' }, { ...h!, baseDir: undefined }),
      /absolute "cwd"/,
    );
  });

  it('the remote command carries the task as base64, never as shell text', () => {
    const [h] = parseHostList('h');
    const cmd = remoteTaskCommand({ id: 't', prompt: "'; rm -rf / #", cwd: '/w' }, h!, 'b');
    assert.doesNotMatch(cmd, /rm -rf/);
    assert.match(cmd, /cairn run --task "\$d\/task\.json" --out "\$d"/);
  });

  it('reads the result line and trajectory; a result for another id is never taken; no result is a failure', () => {
    const [h] = parseHostList('u@h');
    const line = JSON.stringify({ id: 't', outcome: 'completed', answer: 'a', durationMs: 1, refused: [] });
    const ok = parseRemoteOutput(
      `banner\n${line}\n\n@@cairn-trajectory 0\n{"messages":[]}\n\n@@cairn-log\nlog\n`,
      { id: 't', prompt: 'p' },
      h!,
      5,
    );
    assert.equal(ok.result.outcome, 'completed');
    assert.equal(ok.result.host, 'u@h');
    assert.equal(ok.trajectory, '{"messages":[]}\n');
    const other = parseRemoteOutput(
      `${line.replace('"t"', '"x"')}\n@@cairn-trajectory 1\n\n@@cairn-log\nboom\n`,
      { id: 't', prompt: 'p' },
      h!,
      5,
    );
    assert.equal(other.result.outcome, 'failed');
    assert.match(other.result.error ?? '', /exited 1: boom/);
    const unreachable = parseRemoteOutput(
      'ssh: connect to host h port 22: Connection refused\n',
      { id: 't', prompt: 'p' },
      h!,
      5,
    );
    assert.match(unreachable.result.error ?? '', /^ssh u@h: .*Connection refused/);
  });
});

describe('batch over ssh against a loopback sshd', { skip: missing || false }, () => {
  let sshd: LocalSshd;
  let model: ScriptedModel;
  let fixture: RuntimeFixture;
  let remoteHome: string;
  let remoteWork: string;
  let project: string;
  let out: string;

  before(async () => {
    sshd = await startSshd();
    model = await startScriptedModel((body) => {
      const prompt = JSON.stringify(body.messages.find((m) => m.role === 'user')?.content ?? '');
      return { text: `remote answer to ${prompt.includes('second') ? 'second' : 'first'}` };
    });
    fixture = await runtimeFixture({ model: new ScriptedModelClient([]) });
    remoteHome = await tempDir('ssh-remote-home');
    remoteWork = await tempDir('ssh-remote-work');
    project = await tempDir('ssh-project');
    out = await tempDir('ssh-out');
    await writeFiles(project, { 'README.md': 'hello\n' });
  });
  after(async () => {
    await fixture?.cleanup();
    await model?.close();
    await sshd?.stop();
    for (const dir of [remoteHome, remoteWork, project, out])
      if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('runs each task with cairn run --task on the host and brings back results and trajectories', async () => {
    const host: BatchHost = {
      host: '127.0.0.1',
      port: sshd.port,
      user: sshd.user,
      identityFile: sshd.identityFile,
      options: sshd.options,
      cairn: `${process.execPath} ${serverJs}`,
      workDir: remoteWork,
      env: { CAIRN_HOME: remoteHome, OPENAI_BASE_URL: model.url, CAIRN_MODEL: 'scripted' },
    };
    const results = await runBatch({
      tasks: [
        { id: 'first', prompt: 'look at the first thing', cwd: project },
        { id: 'second', prompt: 'look at the second thing', cwd: project },
        { id: 'nowhere', prompt: 'relative folder', cwd: 'pkg' },
      ],
      outDir: out,
      baseDir: '/nonexistent',
      concurrency: 2,
      services: fixture.services,
      hosts: [host],
      log: () => {},
    });
    assert.equal(results.length, 3);
    const byId = await readResults(out);
    for (const id of ['first', 'second']) {
      const r = byId.get(id);
      assert.equal(r?.outcome, 'completed', JSON.stringify(r));
      assert.equal(r?.answer, `remote answer to ${id}`);
      assert.equal(r?.host, `root@127.0.0.1:${sshd.port}`);
      const trajectory = JSON.parse(
        await fs.readFile(path.join(out, 'trajectories', `${id}.jsonl`), 'utf8'),
      ) as {
        messages: Array<{ role: string; content: string }>;
      };
      assert.equal(trajectory.messages.at(-1)?.content, `remote answer to ${id}`);
    }
    assert.equal(byId.get('nowhere')?.outcome, 'failed');
    assert.match(byId.get('nowhere')?.error ?? '', /absolute "cwd"/);
    // The sessions are in the host's history, tagged as batch tasks.
    const history = await JournalHistoryStore.open(path.join(remoteHome, 'history'));
    try {
      const meta = await history.getSession(byId.get('first')!.sessionId!);
      assert.equal(meta?.origin?.kind, 'batch');
    } finally {
      await history.close();
    }
    // A re-run skips what is done; nothing runs on the host again.
    const requests = model.requests.length;
    assert.deepEqual(
      (
        await runBatch({
          tasks: [{ id: 'first', prompt: 'x', cwd: project }],
          outDir: out,
          baseDir: '/',
          concurrency: 1,
          services: fixture.services,
          hosts: [host],
        })
      ).length,
      0,
    );
    assert.equal(model.requests.length, requests);
  });
});
