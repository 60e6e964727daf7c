import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  PermissionGate,
  type PermissionAnswer,
  type PermissionRequest,
} from '../../../agent-server/permissions/gate.js';
import { PathPolicy } from '../../../agent-server/workspace/paths.js';
import { DiskWorkspace } from '../../../agent-server/workspace/disk-workspace.js';
import type { ToolContext } from '../../../agent-server/tools/types.js';
import type { TerminalBackend } from '../../../agent-server/terminal/backend.js';
import type { SessionMode } from '../../../agent-server/permissions/policy.js';

export async function tempDir(prefix = 'cairn-skills-'): Promise<string> {
  return fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), prefix)));
}

export function skillText(
  name: string,
  description: string,
  body = `# ${name}\n\nSteps for ${name}.\n`,
  extra = '',
): string {
  return `---\nname: ${name}\ndescription: ${JSON.stringify(description)}\n${extra}---\n${body}`;
}

/** Writes `<root>/<folder>/SKILL.md` (folder defaults to the name). */
export async function writeSkill(root: string, name: string, text: string, folder = name): Promise<string> {
  const dir = path.join(root, folder);
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'SKILL.md');
  await fs.writeFile(file, text);
  return file;
}

export interface Harness {
  ctx: ToolContext;
  asked: PermissionRequest[];
  answers: PermissionAnswer[];
}

/** A real PermissionGate in `ask` mode whose human answers from a queue, over a real disk workspace. */
export function toolHarness(
  cwd: string,
  answers: PermissionAnswer[] = [],
  mode: SessionMode = 'ask',
): Harness {
  const asked: PermissionRequest[] = [];
  const remembered = new Map<string, 'allow' | 'deny'>();
  const gate = new PermissionGate(
    () => mode,
    {
      async ask(req) {
        asked.push(req);
        const next = answers.shift();
        if (!next) throw new Error(`unexpected permission request: ${req.title}`);
        return next;
      },
    },
    {
      lookup: (key) => remembered.get(key),
      async remember(key, verdict) {
        remembered.set(key, verdict);
      },
    },
  );
  const ctx: ToolContext = {
    sessionId: 's1',
    toolCallId: 'call-1',
    workspace: new DiskWorkspace(new PathPolicy(cwd)),
    // Skill tools never run commands; any use would throw.
    terminal: new Proxy({} as TerminalBackend, {
      get() {
        throw new Error('the skill tools must not use the terminal');
      },
    }),
    permissions: gate,
    signal: new AbortController().signal,
    progress() {},
  };
  return { ctx, asked, answers };
}
