import type { ChatMessage } from '../core/messages.js';
import type { ToolContent } from '../core/tool-content.js';
import { knownModelKeys } from '../model/known-keys.js';
import { PermissionGate, type PermissionPrompter } from '../permissions/gate.js';
import type { SessionMode } from '../permissions/policy.js';
import { PathPolicy } from '../workspace/paths.js';
import type { Workspace } from '../workspace/workspace.js';
import type { AnyTool } from '../tools/types.js';
import type { AcpMcpServer } from '../mcp/index.js';
import {
  BackgroundProcesses,
  createTerminalBackend,
  createTerminalTools,
  type ClientTerminalHost,
} from '../terminal/index.js';
import { bundledSkillsDir } from '../config/package-root.js';
import { createSessionSkills, loadSkillCatalog } from '../skills/index.js';
import { createSessionMemory } from '../memory/index.js';
import { createSessionLearning } from '../learning/session-learning.js';
import { contextNotices, loadContextFiles } from '../context/context-files.js';
import { AgentSession, ModelNotConfiguredError } from './agent-session.js';
import { REASONING_EFFORT_OPTION, SessionModelControls } from './session-model.js';
import { MemoryPermissionRules, ProjectPermissionRules } from './permission-rules.js';
import { SessionToolRunner } from './session-tool-runner.js';
import { SessionOutputs } from './saved-outputs.js';
import { secretValues } from './secret-redaction.js';
import { coreTools } from './session-tools.js';
import { createSessionSearchTool } from '../tools/session-search.js';
import { createWebTools } from '../tools/web-fetch.js';
import { buildSystemPrompt, type PromptSection } from './system-prompt.js';
import { builtinCommands, compactCommand, type SlashCommand } from './slash-commands.js';
import { SessionCheckpoints, setCheckpointsOf } from './session-checkpoints.js';
import type { RuntimeServices } from './services.js';
import { ChildSessions, type ChildSessionSpec } from './child-sessions.js';
import type { ChildSessionObserver } from './child-observer.js';
import { createDelegateTool } from '../tools/delegate.js';
import { createReadCommandTool } from '../tools/read-command.js';
import { createScheduleTool } from '../tools/schedule.js';

/** What the client side (ACP connection, CLI) lends a session. */
export interface ClientBindings {
  prompter: PermissionPrompter;
  /** File access: through the client when it offers it, else the disk. */
  workspace(paths: PathPolicy, sessionId: string): Workspace;
  /** Remember "always" answers in Cairn's home (false: only for this process). */
  persistRules: boolean;
  /** The editor's terminal, when the client offers one (used by `terminal.backend: "client"`). */
  clientTerminal?: ClientTerminalHost;
  /** Told when this session's delegated tasks start and end (a client that shows children live). */
  childSessions?: ChildSessionObserver;
  /** Nobody is there (a job run, a batch task): tools that need a person, like `schedule`, are left out. */
  unattended?: boolean;
  /**
   * Starts a session continuing `sourceId`'s conversation before the user's Nth prompt (0-based;
   * all of it without N), shown to the same client; returns its id. For checkpoint rewinds.
   */
  forkConversation?: (sourceId: string, beforeUserMessage: number | undefined) => Promise<string>;
}

export interface NewSessionParams {
  id: string;
  cwd: string;
  additionalDirectories?: string[];
  createdAt?: Date;
  earlier?: ChatMessage[];
  mode?: SessionMode;
  modelId?: string;
  /** MCP servers the client passed in `session/new`, as received. */
  mcpServers?: readonly AcpMcpServer[];
  /** The name it already has (brought back from history). */
  title?: string;
  /** Set for a delegated task's session (see child-sessions.ts). */
  child?: ChildSessionSpec;
}

/** Wires a session from configuration: model, tools, permissions, prompt. */
export async function createAgentSession(
  services: RuntimeServices,
  client: ClientBindings,
  params: NewSessionParams,
  log?: (line: string) => void,
): Promise<AgentSession> {
  const additionalDirectories = params.additionalDirectories ?? [];
  const paths = new PathPolicy(params.cwd, additionalDirectories);
  const workspace = client.workspace(paths, params.id);
  const mode: SessionMode = params.mode ?? services.config.agent.defaultMode;
  let session: AgentSession | undefined;
  const currentMode = () => session?.mode ?? mode;
  const rules =
    params.child?.rules ??
    (client.persistRules
      ? new ProjectPermissionRules(services.home, params.cwd)
      : new MemoryPermissionRules());
  const gate = new PermissionGate(currentMode, client.prompter, rules);
  // A child's changes go into its parent's turn checkpoint (inherited): it keeps none of its own.
  const inherited = params.child?.inherited;
  const checkpoints = new SessionCheckpoints({
    home: services.home,
    cwd: params.cwd,
    config: inherited ? { ...services.config.checkpoints, enabled: false } : services.config.checkpoints,
    sessionId: params.id,
    gate,
    prompt: () => lastUserText(session?.conversation.messages ?? []),
    turnRunning: () => session?.isRunning ?? false,
    userMessages: () => userPrompts,
    ...(client.forkConversation
      ? { forkConversation: (n: number | undefined) => client.forkConversation!(params.id, n) }
      : {}),
    emit: (event) => session?.announce(event),
    log: log ?? ((line) => process.stderr.write(`${line}\n`)),
  });
  // The user's prompts so far, counted as history counts them (a conversation rewind forks there).
  let userPrompts = (params.earlier ?? []).filter((m) => m.role === 'user').length;
  const turnCheckpoint = inherited?.checkpoint ?? {
    beforeChange: () => checkpoints.beforeChange(),
    afterChange: () => checkpoints.afterChange(),
  };

  const terminalConfig = services.config.terminal;
  const modelKeys = knownModelKeys(services.config.model, services.env);
  const terminal = await createTerminalBackend({
    config: terminalConfig,
    cwd: params.cwd,
    extraRoots: additionalDirectories,
    mode: currentMode,
    home: services.home,
    clientTerminal: client.clientTerminal,
    knownSecrets: modelKeys,
  });
  const processes = new BackgroundProcesses(terminalConfig.maxBackgroundProcesses);
  const terminalDescription = terminal.backend.describe();
  // Said once, at the first turn: e.g. commands are not sandboxed on this machine.
  const pendingNotices: string[] = terminal.notice ? [terminal.notice] : [];

  const tools: AnyTool[] = [...coreTools(), ...createTerminalTools({ config: terminalConfig, processes })];
  tools.push(createSessionSearchTool(services.history, () => params.id));
  tools.push(...createWebTools(services.config.web, services.env));
  // Jobs are made by people: not by a job, a batch task or a delegated child.
  if (!params.child && !client.unattended) tools.push(createScheduleTool({ home: services.home }));
  // A child's toolset picks it or the whole terminal (child-sessions.ts).
  if (params.child) tools.push(createReadCommandTool(terminalConfig));
  tools.push(
    createDelegateTool(
      new ChildSessions({
        parentId: params.id,
        cwd: params.cwd,
        additionalDirectories,
        mcpServers: params.mcpServers ?? [],
        depth: params.child?.depth ?? 0,
        mode: currentMode,
        modelId: () => session?.modelId,
        client,
        rules,
        history: services.history,
        maxParallel: services.config.agent.maxParallelSubagents,
        timeoutMs: services.config.agent.subagentTimeoutSec * 1000,
        parentHistoryId: () => session?.historyId,
        inherited: () => ({ skills, memory, context, checkpoint: turnCheckpoint }),
        create: (bindings, childParams) => createAgentSession(services, bindings, childParams, log),
        log: log ?? ((line) => process.stderr.write(`${line}\n`)),
      }),
    ),
  );
  // MCP servers start on the first prompt (never delaying session/new); their tools are
  // refreshed before every turn, so a restarted server's tools come back.
  const mcp = services.mcp.openSession({
    fromClient: params.mcpServers ?? [],
    fromConfig: services.config.mcpServers,
    cwd: params.cwd,
    additionalDirectories,
    contextWindow: () => session?.contextWindow,
    maxToolSchemaShare: services.config.mcp.maxToolSchemaShare,
  });
  let mcpTools: AnyTool[] = [];
  const skills =
    inherited?.skills ??
    createSessionSkills({
      catalog: await loadSkillCatalog({
        cwd: params.cwd,
        home: services.home,
        bundledDir: bundledSkillsDir(),
      }),
      cwd: params.cwd,
      home: services.home,
    });
  tools.push(...skills.tools);
  // AGENTS.md and memory are read once here: the prompt is a frozen snapshot for the session.
  const context = inherited?.context ?? (await loadContextFiles(params.cwd));
  const memory =
    inherited?.memory ??
    (await createSessionMemory({
      home: services.home,
      cwd: params.cwd,
      limits: services.config.memory,
    }));
  tools.push(...memory.tools);
  // Provenance of what the session writes to memory and skills; the record of what it loaded; /forget.
  const learning = createSessionLearning({
    sessionId: params.id,
    cwd: params.cwd,
    home: services.home,
    memory,
    skills,
    gate,
    messages: () => session?.conversation.messages ?? [],
    log: log ?? ((line) => process.stderr.write(`${line}\n`)),
  });
  // The parent already told the user what its skills, instructions and memory left out.
  if (!inherited) pendingNotices.push(...skills.notices, ...contextNotices(context.files), ...memory.notices);
  const sections: PromptSection[] = [
    { title: 'Project instructions', text: context.text },
    memory.promptSection,
    skills.promptSection,
    ...(params.child ? [{ title: 'Delegated task', text: params.child.instructions }] : []),
  ];
  const commands: SlashCommand[] = [];
  // Skill commands are read each time: a skill saved during the session becomes a command.
  const allCommands = (): SlashCommand[] => [
    ...commands,
    ...memory.commands,
    ...learning.commands,
    ...skills.commands(),
    ...checkpoints.commands(),
    compactCommand,
  ];
  commands.push(...builtinCommands(allCommands));

  const createdAt = params.createdAt ?? new Date();
  const systemPrompt = buildSystemPrompt({
    cwd: params.cwd,
    additionalDirectories,
    terminal: terminalDescription,
    date: createdAt.toISOString().slice(0, 10),
    sections,
  });

  const savedOutputs = new SessionOutputs(services.home, params.id, services.config.toolOutput);
  const runner = new SessionToolRunner({
    // A child keeps only its toolset's tools (MCP ones included).
    tools: () => {
      const all = mcpTools.length ? [...tools, ...mcpTools] : tools;
      return params.child ? all.filter(params.child.keepTool) : all;
    },
    beforeChange: () => turnCheckpoint.beforeChange(),
    afterChange: () => turnCheckpoint.afterChange(),
    mode: currentMode,
    workspace,
    context: (toolCallId: string, signal: AbortSignal, progress: (c: ToolContent[]) => void) => ({
      sessionId: params.id,
      toolCallId,
      workspace,
      permissions: gate,
      signal,
      progress,
      terminal: terminal.backend,
      savedOutputs,
      provenance: learning.provenance,
    }),
    output: {
      budget: services.config.toolOutput,
      saveWhole: (toolCallId, text) => savedOutputs.save(toolCallId, text),
      secrets: secretValues(services.env, modelKeys),
    },
  });

  const modelControls = new SessionModelControls(services, () =>
    session?.configValue(REASONING_EFFORT_OPTION),
  );
  const model = modelControls.build(params.modelId);
  // The endpoint's model list is asked once the client has its answer (a fetch sets up TLS,
  // ~100 ms of CPU); what it finds is told at the first turn.
  let modelWarnings: Promise<string[]> | undefined = params.child ? Promise.resolve([]) : undefined;
  const startModelWarnings = () => (modelWarnings ??= modelControls.startWarnings());
  session = new AgentSession({
    id: params.id,
    cwd: params.cwd,
    additionalDirectories,
    createdAt,
    systemPrompt,
    earlier: params.earlier,
    mode,
    model,
    switchModel: (id) => {
      const next = modelControls.build(id);
      if (next instanceof ModelNotConfiguredError) throw next;
      return next;
    },
    modelChoices: services.model.ok ? services.model.model.choices : [],
    modelControls,
    tools: runner,
    maxTurnRequests: services.config.agent.maxTurnRequests,
    terminalDescription,
    commands: allCommands,
    onCommandsChanged: (listener) => skills.onChange(listener),
    ...(params.title ? { title: params.title } : {}),
    ...(log ? { log } : {}),
    warmUp: () => void startModelWarnings(),
    beforeTurn: async (signal) => {
      await learning.recordLoaded(services.history, session?.historyId);
      const prepared = await mcp.prepare(signal);
      mcpTools = prepared.tools;
      return [
        ...pendingNotices.splice(0),
        ...(await startModelWarnings()).splice(0),
        ...prepared.notices,
        ...(await checkpoints.turnStarting()),
      ];
    },
    statusLines: () => [checkpoints.statusLine(), ...modelControls.statusLines(), ...mcp.status()],
    // session/cancel stops everything the turn started, background processes included.
    onCancel: () => processes.killAll(),
    onClose: async () => {
      await processes.killAll();
      await terminal.backend.dispose();
      await mcp.close();
      await checkpoints.close();
    },
  });
  setCheckpointsOf(session, checkpoints);
  session.conversation.onAppend((m) => {
    if (m.role === 'user') userPrompts++;
  });
  // A turn's checkpoint is closed (and announced) as the turn ends: `usage` ends every turn.
  session.subscribe((event) => {
    if (event.type === 'usage') void checkpoints.turnEnded();
  });
  return session;
}

/** The text of the newest user message (a checkpoint's label). */
function lastUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    return m.content.map((p) => ('text' in p && typeof p.text === 'string' ? p.text : '')).join(' ');
  }
  return '';
}
