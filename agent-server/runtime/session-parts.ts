import type { ChatMessage } from '../core/messages.js';
import type { knownModelKeys } from '../model/known-keys.js';
import type { ToolContent } from '../core/tool-content.js';
import { PermissionGate } from '../permissions/gate.js';
import { PathPolicy } from '../workspace/paths.js';
import type { AnyTool } from '../tools/types.js';
import { BackgroundProcesses, createTerminalBackend, createTerminalTools } from '../terminal/index.js';
import { bundledSkillsDir } from '../config/package-root.js';
import { createSessionSkills, loadSkillCatalog } from '../skills/index.js';
import { createSessionMemory } from '../memory/index.js';
import { createSessionLearning } from '../learning/session-learning.js';
import { contextNotices, loadContextFiles } from '../context/context-files.js';
import type { AgentSession } from './agent-session.js';
import type { SessionParts } from './session-init.js';
import { MemoryPermissionRules, ProjectPermissionRules } from './permission-rules.js';
import { SessionToolRunner } from './session-tool-runner.js';
import { SessionOutputs } from './saved-outputs.js';
import { secretValues } from './secret-redaction.js';
import { coreTools } from './session-tools.js';
import { createSessionSearchTool } from '../tools/session-search.js';
import { createWebTools } from '../tools/web-fetch.js';
import { buildSystemPrompt, type PromptSection } from './system-prompt.js';
import { builtinCommands, compactCommand, type SlashCommand } from './slash-commands.js';
import { SessionCheckpoints } from './session-checkpoints.js';
import type { RuntimeServices } from './services.js';
import { ChildSessions } from './child-sessions.js';
import { createDelegateTool } from '../tools/delegate.js';
import { createReadCommandTool } from '../tools/read-command.js';
import { createScheduleTool } from '../tools/schedule.js';
import { createAgentSession, type ClientBindings, type NewSessionParams } from './session-factory.js';
import type { SessionModelControls } from './session-model.js';

export interface SessionPartsInput {
  services: RuntimeServices;
  client: ClientBindings;
  params: NewSessionParams;
  session: AgentSession;
  modelControls: SessionModelControls;
  /** The first turn's warnings about the endpoint (started by the session's warm-up). */
  modelWarnings: () => Promise<string[]>;
  /** Known API key values, kept out of commands' environment and of tool output. */
  modelKeys: ReturnType<typeof knownModelKeys>;
  log: (line: string) => void;
}

/**
 * Builds what a session needs to run turns — permissions, checkpoints, terminal, tools,
 * skills, instructions, memory, learning, the system prompt and commands — once the client
 * has its `session/new` answer (this module and everything it imports load only then).
 */
export async function buildSessionParts(input: SessionPartsInput): Promise<SessionParts> {
  const { services, client, params, session, modelControls, log } = input;
  const additionalDirectories = params.additionalDirectories ?? [];
  const paths = new PathPolicy(params.cwd, additionalDirectories);
  const workspace = client.workspace(paths, params.id);
  const currentMode = () => session.mode;
  const rules =
    params.child?.rules ??
    (client.persistRules
      ? new ProjectPermissionRules(services.home, params.cwd)
      : new MemoryPermissionRules());
  const gate = new PermissionGate(currentMode, client.prompter, rules);
  // The user's prompts so far, counted as history counts them (a conversation rewind forks there).
  let userPrompts = session.conversation.messages.filter((m) => m.role === 'user').length;
  // A child's changes go into its parent's turn checkpoint (inherited): it keeps none of its own.
  const inherited = params.child?.inherited;
  const checkpoints = new SessionCheckpoints({
    home: services.home,
    cwd: params.cwd,
    config: inherited ? { ...services.config.checkpoints, enabled: false } : services.config.checkpoints,
    sessionId: params.id,
    gate,
    prompt: () => lastUserText(session.conversation.messages),
    turnRunning: () => session.isRunning,
    userMessages: () => userPrompts,
    ...(client.forkConversation
      ? { forkConversation: (n: number | undefined) => client.forkConversation!(params.id, n) }
      : {}),
    emit: (event) => session.announce(event),
    log,
  });
  const turnCheckpoint = inherited?.checkpoint ?? {
    beforeChange: () => checkpoints.beforeChange(),
    afterChange: () => checkpoints.afterChange(),
  };

  const terminalConfig = services.config.terminal;
  const terminal = await createTerminalBackend({
    config: terminalConfig,
    cwd: params.cwd,
    extraRoots: additionalDirectories,
    mode: currentMode,
    home: services.home,
    clientTerminal: client.clientTerminal,
    knownSecrets: input.modelKeys,
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
        modelId: () => session.modelId,
        client,
        rules,
        history: services.history,
        maxParallel: services.config.agent.maxParallelSubagents,
        timeoutMs: services.config.agent.subagentTimeoutSec * 1000,
        parentHistoryId: () => session.historyId,
        inherited: () => ({ skills, memory, context, checkpoint: turnCheckpoint }),
        create: (bindings, childParams) => createAgentSession(services, bindings, childParams, log),
        log,
      }),
    ),
  );
  // MCP servers start on the first prompt (never delaying session/new); their tools are
  // refreshed before every turn, so a restarted server's tools come back.
  const mcp = await services.mcp.openSession({
    fromClient: params.mcpServers ?? [],
    fromConfig: services.config.mcpServers,
    cwd: params.cwd,
    additionalDirectories,
    contextWindow: () => session.contextWindow,
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
    messages: () => session.conversation.messages,
    log,
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

  const systemPrompt = buildSystemPrompt({
    cwd: params.cwd,
    additionalDirectories,
    terminal: terminalDescription,
    date: session.createdAt.toISOString().slice(0, 10),
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
      secrets: secretValues(services.env, input.modelKeys),
    },
  });

  session.conversation.onAppend((m) => {
    if (m.role === 'user') userPrompts++;
  });
  // A turn's checkpoint is closed (and announced) as the turn ends: `usage` ends every turn.
  session.subscribe((event) => {
    if (event.type === 'usage') void checkpoints.turnEnded();
  });
  return {
    systemPrompt,
    tools: runner,
    terminalDescription,
    checkpoints,
    commands: allCommands,
    onCommandsChanged: (listener) => skills.onChange(listener),
    beforeTurn: async (signal) => {
      await learning.recordLoaded(services.history, session.historyId);
      const prepared = await mcp.prepare(signal);
      mcpTools = prepared.tools;
      return [
        ...pendingNotices.splice(0),
        ...(await input.modelWarnings()).splice(0),
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
  };
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
