import {
  PermissionGate,
  type PermissionAnswer,
  type PermissionRequest,
} from '../../agent-server/permissions/gate.js';
import type { SessionMode } from '../../agent-server/permissions/policy.js';
import { MemoryPermissionRules } from '../../agent-server/runtime/permission-rules.js';
import type { ToolContext } from '../../agent-server/tools/types.js';
import type { ToolContent } from '../../agent-server/core/tool-content.js';
import { DiskWorkspace } from '../../agent-server/workspace/disk-workspace.js';
import { PathPolicy } from '../../agent-server/workspace/paths.js';

/** A real tool context over a folder on disk, with a scripted human answering approvals. */
export function toolContext(
  root: string,
  opts: { mode?: SessionMode; answer?: PermissionAnswer; signal?: AbortSignal } = {},
): ToolContext & { asked: PermissionRequest[]; progressed: ToolContent[][] } {
  const asked: PermissionRequest[] = [];
  const progressed: ToolContent[][] = [];
  const gate = new PermissionGate(
    () => opts.mode ?? 'ask',
    { ask: async (r) => (asked.push(r), opts.answer ?? 'allow_once') },
    new MemoryPermissionRules(),
  );
  return {
    sessionId: 'test-session',
    toolCallId: 'call_1',
    workspace: new DiskWorkspace(new PathPolicy(root)),
    permissions: gate,
    signal: opts.signal ?? new AbortController().signal,
    progress: (c) => progressed.push(c),
    terminal: undefined as never,
    asked,
    progressed,
  };
}
