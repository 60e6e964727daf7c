import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { TerminalConfigSchema } from '../../../shared/config.js';
import { createSessionTerminal } from '../../../agent-server/terminal/index.js';
import { eventually, processesMatching } from './harness.js';

describe('session terminal', () => {
  test('the tool contract: names, parameters and kinds are pinned', async () => {
    const session = await createSessionTerminal({
      config: TerminalConfigSchema.parse({ backend: 'local' }),
      cwd: process.cwd(),
      mode: () => 'auto',
      home: '/nonexistent',
    });
    const [terminal, proc] = session.tools;
    assert.equal(terminal!.name, 'terminal');
    assert.equal(terminal!.kind, 'execute');
    const termSchema = z.toJSONSchema(terminal!.inputSchema) as unknown as {
      properties: object;
      required: string[];
    };
    assert.deepEqual(Object.keys(termSchema.properties).sort(), [
      'background',
      'command',
      'timeout',
      'workdir',
    ]);
    assert.deepEqual(termSchema.required, ['command']);
    assert.equal(proc!.name, 'process');
    const procSchema = z.toJSONSchema(proc!.inputSchema) as unknown as {
      properties: { action: { enum: string[] } };
      required: string[];
    };
    assert.deepEqual(procSchema.properties.action.enum, ['list', 'poll', 'log', 'wait', 'kill', 'write']);
    assert.deepEqual(Object.keys(procSchema.properties).sort(), ['action', 'id', 'input', 'timeout']);
    assert.match(session.description(), /^local/);
    await session.close();
  });

  test('an ssh backend without ssh settings falls back to local and says so', async () => {
    const session = await createSessionTerminal({
      config: TerminalConfigSchema.parse({ backend: 'ssh' }),
      cwd: process.cwd(),
      mode: () => 'auto',
      home: '/nonexistent',
    });
    assert.equal(session.backend.name, 'local');
    assert.match(session.description(), /terminal\.ssh is not configured/);
    await session.close();
  });

  test('close kills the background processes the session started', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'cairn-session-term-'));
    const session = await createSessionTerminal({
      config: TerminalConfigSchema.parse({ backend: 'local' }),
      cwd,
      mode: () => 'auto',
      home: '/nonexistent',
    });
    const sleep = `${6000 + Math.floor(Math.random() * 3000)}.${process.pid % 1000}`;
    session.processes.start(session.backend, `sleep ${sleep} & sleep ${sleep}`, cwd);
    assert.ok(await eventually(async () => (await processesMatching(`sleep ${sleep}`)).length >= 2));
    await session.close();
    assert.equal((await processesMatching(`sleep ${sleep}`)).length, 0);
    await rm(cwd, { recursive: true, force: true });
  });
});
