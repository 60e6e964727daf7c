/**
 * Delegation: what starting a child costs (from the delegate call to the child's first model
 * request), three children against a model that takes 1 s per reply (wall time against one
 * child's), and the parent's prompt after reading a large file itself or through a child.
 * In-process scripted model, history in memory, files on a temp disk.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ModelClient, ModelEvent, ModelRequest } from '../../agent-server/core/model-client.js';
import type { ChatRequestBody, ScriptStep } from '../../agent-server/demo/scripted-model-server.js';
import { ScriptedModelClient } from '../fixtures/scripted-model-client.js';
import { tempDir } from '../helpers/env.js';
import { runtimeFixture } from '../helpers/runtime-session.js';

type Figures = Record<string, number | string>;

const CHILD_MARK = 'subagent working on one delegated task';
const isChild = (r: ChatRequestBody) => JSON.stringify(r.messages[0]).includes(CHILD_MARK);
const lastRole = (r: ChatRequestBody) => String((r.messages.at(-1) as { role: string }).role);

/** The scripted model, noting when each child request arrives and waiting `childDelayMs` before it answers. */
class TimedModel implements ModelClient {
  readonly modelId = 'scripted';
  readonly contextWindow = undefined;
  readonly childArrivals: number[] = [];
  constructor(
    readonly inner: ScriptedModelClient,
    private readonly childDelayMs = 0,
  ) {}
  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    const first = request.messages[0];
    if (first?.role === 'system' && first.content.includes(CHILD_MARK)) {
      this.childArrivals.push(performance.now());
      if (this.childDelayMs) await new Promise((r) => setTimeout(r, this.childDelayMs));
    }
    yield* this.inner.stream(request);
  }
}

function delegateScript(tasks: number, childText = 'Found it in src/a.ts.') {
  return (body: ChatRequestBody): ScriptStep => {
    if (isChild(body)) return { text: childText };
    if (lastRole(body) === 'tool') return { text: 'done' };
    return {
      toolCalls: [
        {
          name: 'delegate',
          arguments: { tasks: Array.from({ length: tasks }, (_, i) => ({ goal: `Task number ${i + 1}` })) },
        },
      ],
    };
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function withParent<T>(
  model: TimedModel,
  run: (prompt: () => Promise<number>) => Promise<T>,
): Promise<T> {
  const repo = await tempDir('delegate-bench');
  await fs.writeFile(path.join(repo, 'big.txt'), 'line of a large generated file\n'.repeat(1500));
  // A project as a child meets it: a git repository, AGENTS.md and a project skill to load.
  await fs.writeFile(path.join(repo, 'AGENTS.md'), '# Project\nRun `npm test` before committing.\n');
  await fs.mkdir(path.join(repo, '.cairn/skills/house-style'), { recursive: true });
  await fs.writeFile(
    path.join(repo, '.cairn/skills/house-style/SKILL.md'),
    '---\nname: house-style\ndescription: How code is written here\n---\nUse small modules.\n',
  );
  execFileSync('git', ['init', '-q'], { cwd: repo });
  const fx = await runtimeFixture({ model });
  try {
    return await run(async () => {
      const parent = await fx.host.create(fx.bindings, { cwd: repo });
      let started = 0;
      parent.subscribe((e) => {
        if (e.type === 'tool_call' && e.toolName === 'delegate') started = performance.now();
      });
      const before = model.childArrivals.length;
      await parent.prompt({ role: 'user', content: 'go' });
      return model.childArrivals[before]! - started;
    });
  } finally {
    await fx.cleanup();
    await fs.rm(repo, { recursive: true, force: true });
  }
}

export async function bench(report: (name: string, figures: Figures) => void): Promise<void> {
  // Starting a child: delegate call → the child's first model request.
  const starts: number[] = [];
  const startModel = new TimedModel(new ScriptedModelClient(delegateScript(1)));
  await withParent(startModel, async (prompt) => {
    for (let i = 0; i < 15; i++) starts.push(await prompt());
  });
  report('child start (delegate → first request)', { median_ms: median(starts), runs: starts.length });

  // Wall time of one and of three children against a model that takes 1 s per reply.
  const wall = async (tasks: number): Promise<number> => {
    const model = new TimedModel(new ScriptedModelClient(delegateScript(tasks)), 1000);
    return withParent(model, async (prompt) => {
      const t0 = performance.now();
      await prompt();
      return performance.now() - t0;
    });
  };
  const one = await wall(1);
  const three = await wall(3);
  report('3 children vs 1 (1 s per reply)', { one_ms: one, three_ms: three, ratio: three / one });

  // The parent's last prompt: reading a ~45 KB file itself, or a child reading it and summarising.
  const tokens = (r: ChatRequestBody | undefined) => Math.round(JSON.stringify(r?.messages ?? []).length / 4);
  const direct = new TimedModel(
    new ScriptedModelClient((body) =>
      lastRole(body) === 'tool'
        ? { text: 'done' }
        : { toolCalls: [{ name: 'read_file', arguments: { path: 'big.txt' } }] },
    ),
  );
  await withParent(direct, async (prompt) => prompt().catch(() => 0));
  const delegated = new TimedModel(
    new ScriptedModelClient((body) => {
      if (isChild(body))
        return lastRole(body) === 'tool'
          ? { text: 'big.txt holds 1500 identical generated lines.' }
          : { toolCalls: [{ name: 'read_file', arguments: { path: 'big.txt' } }] };
      return lastRole(body) === 'tool'
        ? { text: 'done' }
        : { toolCalls: [{ name: 'delegate', arguments: { tasks: [{ goal: 'Summarise big.txt' }] } }] };
    }),
  );
  await withParent(delegated, async (prompt) => prompt());
  report("parent's prompt after reading a large file", {
    direct_tokens: tokens(direct.inner.requests.at(-1)),
    delegated_tokens: tokens(delegated.inner.requests.filter((r) => !isChild(r)).at(-1)),
  });
}
