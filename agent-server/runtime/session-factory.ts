import type { ChatMessage } from '../core/messages.js';
import { knownModelKeys } from '../model/known-keys.js';
import type { PermissionPrompter } from '../permissions/gate.js';
import type { SessionMode } from '../permissions/policy.js';
import type { PathPolicy } from '../workspace/paths.js';
import type { Workspace } from '../workspace/workspace.js';
import type { AcpMcpServer } from '../mcp/index.js';
import type { ClientTerminalHost } from '../terminal/index.js';
import { AgentSession, ModelNotConfiguredError } from './agent-session.js';
import { REASONING_EFFORT_OPTION, SessionModelControls } from './session-model.js';
import type { RuntimeServices } from './services.js';
import type { ChildSessionSpec } from './child-sessions.js';
import type { ChildSessionObserver } from './child-observer.js';

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

/**
 * A session from configuration. Only what `session/new` answers with is built here (mode,
 * model, id); the rest — tools, terminal, skills, memory, the prompt — is built by
 * `buildSessionParts` when the session is first made ready (see `AgentSession.ready`), so a
 * client's answer never waits for it, and that code is not even loaded until then.
 */
export async function createAgentSession(
  services: RuntimeServices,
  client: ClientBindings,
  params: NewSessionParams,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<AgentSession> {
  // An explicit sandbox that cannot work is the user's to fix: say so now, not at the first turn.
  if (services.config.terminal.backend === 'sandbox') {
    const { requireSandbox } = await import('../terminal/index.js');
    await requireSandbox();
  }
  let session: AgentSession | undefined;
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
    additionalDirectories: params.additionalDirectories ?? [],
    createdAt: params.createdAt ?? new Date(),
    earlier: params.earlier,
    mode: params.mode ?? services.config.agent.defaultMode,
    model,
    switchModel: (id) => {
      const next = modelControls.build(id);
      if (next instanceof ModelNotConfiguredError) throw next;
      return next;
    },
    modelChoices: services.model.ok ? services.model.model.choices : [],
    modelControls,
    maxTurnRequests: services.config.agent.maxTurnRequests,
    ...(params.title ? { title: params.title } : {}),
    log,
    warmUp: () => void startModelWarnings(),
    prepare: async (self) => {
      const { buildSessionParts } = await import('./session-parts.js');
      return buildSessionParts({
        services,
        client,
        params,
        session: self,
        modelControls,
        modelWarnings: startModelWarnings,
        modelKeys: knownModelKeys(services.config.model, services.env),
        log,
      });
    },
  });
  return session;
}
