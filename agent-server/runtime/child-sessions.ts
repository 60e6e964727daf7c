import { randomUUID } from 'node:crypto';
import type { TurnOutcome } from '../core/events.js';
import type { ToolKind, ToolLocation } from '../core/tool-content.js';
import type { HistoryStore } from '../history/index.js';
import type { AcpMcpServer } from '../mcp/index.js';
import type { PermissionPrompter, PermissionRuleStore } from '../permissions/gate.js';
import type { SessionMode } from '../permissions/policy.js';
import type {
  ChildOutcome,
  ChildProgress,
  ChildResult,
  ChildSessionLauncher,
  DelegatedTask,
  Toolset,
} from '../tools/delegate.js';
import type { AnyTool } from '../tools/types.js';
import type { LoadedContext } from '../context/context-files.js';
import type { SessionMemory } from '../memory/index.js';
import type { SessionSkills } from '../skills/index.js';
import type { AgentSession } from './agent-session.js';
import { delegateRoles, resolveTask, type DelegateRole, type ResolvedTask } from './delegate-roles.js';
import type { SessionEvent } from './session-events.js';
import type { ClientBindings, NewSessionParams } from './session-factory.js';

/** Children of children are allowed (toolset `full`) down to this depth; the top session is 0. */
export const MAX_DELEGATION_DEPTH = 2;

/** Offered to children only (see tools/read-command.ts). */
export const READ_COMMAND_TOOL = 'read_command';

/** Tools no child gets: what it writes to memory or skills would outlive its task unseen. */
const NEVER_DELEGATED = new Set(['memory', 'skill_manage']);

/** Awaited around a tool that may change files: the turn's checkpoint (see SessionCheckpoints). */
export interface TurnCheckpointHooks {
  beforeChange(): Promise<void>;
  afterChange(): Promise<void>;
}

/**
 * What a child takes from its parent as already loaded instead of reading it again, so it
 * starts in milliseconds: the parent's skills, memory and project instructions (the same
 * snapshot the parent's prompt holds), and the parent's turn checkpoint, which a child's
 * changes belong to (undoing the parent's turn undoes what its children changed).
 */
export interface InheritedSnapshot {
  skills: SessionSkills;
  memory: SessionMemory;
  context: LoadedContext;
  checkpoint: TurnCheckpointHooks;
}

/** What makes a session a child: its depth, which tools it keeps, the parent's "always" answers. */
export interface ChildSessionSpec {
  depth: number;
  keepTool: (tool: AnyTool) => boolean;
  /** Shared with the parent: an "always" answered to a child holds for the parent too. */
  rules: PermissionRuleStore;
  /** The system prompt's section telling the child what it is. */
  instructions: string;
  inherited: InheritedSnapshot;
}

export function toolsetFilter(toolset: Toolset, depth: number): (tool: AnyTool) => boolean {
  return (tool) => {
    if (NEVER_DELEGATED.has(tool.name)) return false;
    if (tool.name === 'delegate') return toolset === 'full' && depth < MAX_DELEGATION_DEPTH;
    // The read toolset's terminal: the others have the whole one.
    if (tool.name === READ_COMMAND_TOOL) return toolset === 'read';
    return toolset === 'read' ? tool.readOnly : true;
  };
}

export interface ChildSessionsOptions {
  parentId: string;
  cwd: string;
  additionalDirectories: string[];
  mcpServers: readonly AcpMcpServer[];
  /** The parent's depth (0: a session the user talks to). */
  depth: number;
  /** The parent's mode now: a child never has more rights (plan: children only read). */
  mode: () => SessionMode;
  modelId: () => string | undefined;
  /** The parent's client: children ask through it, read files through it, use its terminal. */
  client: ClientBindings;
  rules: PermissionRuleStore;
  history: HistoryStore;
  maxParallel: number;
  /** Wall time of one task; a call may ask for less, never more. */
  timeoutMs: number;
  /** The history session the parent records to now (its id until a compaction continues it). */
  parentHistoryId: () => string | undefined;
  /** The parent's loaded skills, memory, instructions and turn checkpoint (read when a child starts). */
  inherited: () => InheritedSnapshot;
  /** Builds a session (the runtime's factory, bound to its services). */
  create: (bindings: ClientBindings, params: NewSessionParams) => Promise<AgentSession>;
  log: (line: string) => void;
}

/** A child's permission requests go to the parent's user, labelled with the task that asks. */
function labelledPrompter(parent: PermissionPrompter, childId: string, label: string): PermissionPrompter {
  return {
    ask: (request, signal) =>
      parent.ask(
        {
          ...request,
          // Unique in the parent's session: the child's call ids are its own.
          toolCallId: `${childId}/${request.toolCallId}`,
          title: `${label}: ${request.title}`,
        },
        signal,
      ),
  };
}

function instructionsFor(label: string, toolset: Toolset, role?: DelegateRole): string {
  const rights =
    toolset === 'read'
      ? 'Your toolset is `read`: you can read and search, and run read-only commands (read_command), ' +
        'not change files or run anything else.'
      : 'You may change files and run commands; the user approves them as usual.';
  return (
    `You are a subagent working on one delegated task (${label}) for another Cairn agent. ` +
    'You do not see its conversation: the task and the context it passed are in the first message. ' +
    `${rights} Do only this task, then answer with a concise summary for the agent that delegated ` +
    'it: what you found (paths and lines), what you changed, and what failed or is uncertain.' +
    (role ? `\n\n## Your role: ${role.name}\n\n${role.instructions}` : '')
  );
}

function firstMessage(task: Pick<DelegatedTask, 'goal' | 'context'>): string {
  return task.context ? `${task.goal}\n\n## Context\n${task.context}` : task.goal;
}

function outcomeOf(turn: TurnOutcome): ChildOutcome {
  if (turn.error) return 'failed';
  switch (turn.stopReason) {
    case 'end_turn':
      return 'done';
    case 'cancelled':
      return 'cancelled';
    case 'max_turn_requests':
      return 'budget_exhausted';
    default:
      return 'failed';
  }
}

/** Follows a child's events: its current step, its tool calls, the files its edits changed. */
class ChildWatch {
  toolCalls = 0;
  readonly changed = new Set<string>();
  private readonly calls = new Map<string, { kind: ToolKind; locations: ToolLocation[] }>();

  constructor(private readonly report: (p: ChildProgress) => void) {}

  observe(event: SessionEvent): void {
    if (event.type === 'tool_call') {
      this.toolCalls++;
      this.calls.set(event.toolCallId, { kind: event.kind, locations: event.locations });
      this.report({ step: event.title, toolCalls: this.toolCalls });
    } else if (event.type === 'tool_call_update' && event.outcome === 'completed') {
      const call = this.calls.get(event.toolCallId);
      if (call?.kind === 'edit') for (const l of event.locations ?? call.locations) this.changed.add(l.path);
    } else if (event.type === 'text') {
      this.report({ step: 'writing its answer', toolCalls: this.toolCalls });
    }
  }
}

/** Runs delegated tasks as sessions of their own, inside the parent's boundary. */
export class ChildSessions implements ChildSessionLauncher {
  constructor(private readonly opts: ChildSessionsOptions) {}

  get maxParallel(): number {
    return this.opts.maxParallel;
  }

  roles(): { name: string; description: string }[] {
    return delegateRoles(this.opts.inherited().skills.catalog);
  }

  async run(
    requested: DelegatedTask,
    label: string,
    signal: AbortSignal,
    progress: (p: ChildProgress) => void,
    toolCallId?: string,
  ): Promise<ChildResult> {
    const task = resolveTask(requested, this.opts.inherited().skills.catalog);
    if (typeof task === 'string')
      return { sessionId: '', outcome: 'failed', summary: task, changedFiles: [], toolCalls: 0 };
    // The client is told of each child that starts, and how it ended (to show it live, stop it).
    const observer = toolCallId ? this.opts.client.childSessions : undefined;
    let observed = false;
    const result = await this.runChild(task, label, signal, progress, (session) => {
      observed = true;
      observer?.started({
        id: session.id,
        parentId: this.opts.parentId,
        toolCallId: toolCallId!,
        label,
        goal: task.goal,
        toolset: task.toolset,
        session,
      });
    });
    if (observed) observer?.ended(result.sessionId, result.outcome);
    return result;
  }

  private async runChild(
    task: ResolvedTask,
    label: string,
    signal: AbortSignal,
    progress: (p: ChildProgress) => void,
    started: (session: AgentSession) => void,
  ): Promise<ChildResult> {
    const id = randomUUID();
    const o = this.opts;
    const ended = (outcome: ChildOutcome, summary: string, toolCalls = 0): ChildResult => ({
      sessionId: id,
      outcome,
      summary,
      changedFiles: [],
      toolCalls,
    });
    if (signal.aborted) return ended('cancelled', 'Cancelled before it started.');
    const depth = o.depth + 1;
    const title = `↳ ${label}`;
    const bindings: ClientBindings = {
      prompter: labelledPrompter(o.client.prompter, id, label),
      // The client knows the parent's session only: files and terminals go through that.
      workspace: (paths) => o.client.workspace(paths, o.parentId),
      persistRules: o.client.persistRules,
      ...(o.client.clientTerminal ? { clientTerminal: o.client.clientTerminal } : {}),
    };
    const modelId = o.modelId();
    let session: AgentSession;
    try {
      session = await o.create(bindings, {
        id,
        cwd: o.cwd,
        additionalDirectories: o.additionalDirectories,
        mcpServers: o.mcpServers,
        mode: o.mode(),
        title,
        ...(modelId ? { modelId } : {}),
        child: {
          depth,
          keepTool: toolsetFilter(task.toolset, depth),
          rules: o.rules,
          instructions: instructionsFor(label, task.toolset, task.role),
          inherited: o.inherited(),
        },
      });
    } catch (err) {
      return ended('failed', `The subagent could not start: ${(err as Error).message}`);
    }
    const watch = new ChildWatch(progress);
    const unsubscribe = session.subscribe((event) => watch.observe(event));
    started(session);
    const cancel = () => void session.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    let timedOut = false;
    const timeoutMs = Math.min(o.timeoutMs, (task.timeoutSec ?? Infinity) * 1000);
    const timer = setTimeout(() => {
      timedOut = true;
      cancel();
    }, timeoutMs);
    try {
      await this.record(session, title, label, task.toolset, task.goal);
      if (signal.aborted) return ended('cancelled', 'Cancelled before it started.');
      let turn: TurnOutcome;
      try {
        turn = await session.prompt({ role: 'user', content: firstMessage(task) });
      } catch (err) {
        return ended('failed', `The subagent failed: ${(err as Error).message}`, watch.toolCalls);
      }
      const outcome = signal.aborted ? 'cancelled' : timedOut ? 'budget_exhausted' : outcomeOf(turn);
      const answer = lastAssistantText(session);
      const summary =
        outcome === 'done'
          ? answer
          : [
              turn.error?.message ??
                (timedOut
                  ? `It ran out of time (${Math.round(timeoutMs / 1000)} s) and was stopped.`
                  : `It ended: ${outcome.replace('_', ' ')}.`),
              answer && `Last words: ${answer}`,
            ]
              .filter(Boolean)
              .join('\n');
      return {
        sessionId: id,
        outcome,
        summary,
        changedFiles: [...watch.changed],
        toolCalls: watch.toolCalls,
      };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', cancel);
      unsubscribe();
      await session.close();
    }
  }

  /** In history like any session, titled as a subtask, linked to its parent by its origin (and a system record in its transcript). */
  private async record(
    session: AgentSession,
    title: string,
    label: string,
    toolset: Toolset,
    goal: string,
  ): Promise<void> {
    const o = this.opts;
    await session.recordTo(o.history, session.id, {
      cwd: o.cwd,
      createdAt: session.createdAt,
      ...(session.modelId ? { model: session.modelId } : {}),
      // The parent as history knows it now (after a compaction, the session that continues it).
      origin: { kind: 'delegated', sessionId: o.parentHistoryId() ?? o.parentId, task: goal },
    });
    if (!session.historyId) return;
    try {
      await o.history.updateSession(session.id, { title });
      await o.history.append(session.id, {
        type: 'message',
        message: {
          role: 'system',
          content: `Delegated by session ${o.parentId} as ${label} (toolset ${toolset}).`,
        },
      });
    } catch (err) {
      o.log(
        `cairn: the link of child session ${session.id} to ${o.parentId} was not recorded: ${(err as Error).message}`,
      );
    }
  }
}

function lastAssistantText(session: AgentSession): string {
  const messages = session.conversation.messages;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === 'assistant' && m.content) return m.content;
  }
  return '';
}
