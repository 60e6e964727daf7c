import type * as acp from '@agentclientprotocol/sdk';
import { isSessionMode } from '../permissions/policy.js';
import { type AgentSession, ModelNotConfiguredError } from '../runtime/agent-session.js';
import type { ClientBindings } from '../runtime/session-factory.js';
import { SessionHost } from '../runtime/session-host.js';
import type { RuntimeServices } from '../runtime/services.js';
import { DiskWorkspace } from '../workspace/disk-workspace.js';
import { PathPolicy } from '../workspace/paths.js';
import {
  AUTH_METHODS,
  initializeResponse,
  LOGOUT_NOTHING_STORED,
  type InitializeFacts,
} from './capabilities.js';
import { ClientPermissionPrompter } from './client-prompter.js';
import { ClientWorkspace } from './client-workspace.js';
import { AcpClientTerminalHost } from './client-terminal-host.js';
import { configOptions, modeState, REASONING_EFFORT_CHOICES } from './session-config.js';
import { promptUsage } from './prompt-usage.js';
import { REASONING_EFFORT_OPTION } from '../runtime/session-model.js';
import { inlineLinkedFiles } from './linked-files.js';
import { promptToUserMessage } from './translate.js';
import { registerHistoryRequests } from './session-history.js';
import { CAIRN_QUEUE_NOTIFICATION, registerConversationRequests } from './conversation-requests.js';
import { checkPrompt, requireAbsolute } from './input-checks.js';
import {
  CAIRN_CHECKPOINT_NOTIFICATION,
  checkpointNotification,
  registerCheckpointRequests,
} from './checkpoint-requests.js';
import { availableCommands, sessionEventToUpdate, type ClientSupports } from './session-updates.js';
import { DelegatedChildren, registerDelegationRequests } from './delegated-children.js';
import { wantsChildSessions } from '../../shared/delegation-protocol.js';
import { parseInitialize, supportsSubagents } from './subagent-updates.js';
import { agent, RequestError, type AgentApp, type AgentContext } from './rpc/index.js';

export interface CairnAgentOptions {
  /** The process's services, asked for when a request needs them (a config problem is thrown then). */
  services: () => RuntimeServices;
  facts: InitializeFacts;
  log: (line: string) => void;
}

/** Per-connection state: the client's capabilities, and what is still being sent per session. */
interface ConnectionState {
  capabilities: acp.ClientCapabilities;
  /** Each session's updates, sent one after another; awaited before a prompt is answered. */
  outbox: Map<string, Promise<void>>;
}

/** A ConfigError becomes an error whose message is its text; anything else passes through. */
function asConfigRequestError(err: unknown): unknown {
  if (err instanceof Error && err.name === 'ConfigError')
    return new RequestError(-32603, err.message, { kind: 'config', details: err.message });
  return err;
}

/** The ACP agent: requests → sessions, turn events → `session/update`. */
export function createCairnAgent(opts: CairnAgentOptions): {
  app: AgentApp;
  closeAll: () => Promise<void>;
} {
  const state: ConnectionState = { capabilities: {}, outbox: new Map() };
  const app = agent({ name: 'cairn' });
  // A bad config.json is the user's to fix: its text is the error message, not "Internal error".
  const services = opts.services;
  opts = {
    ...opts,
    services: () => {
      try {
        return services();
      } catch (err) {
        throw asConfigRequestError(err);
      }
    },
  };
  const host = new SessionHost({ services: () => opts.services(), log: opts.log });

  const send = (client: AgentContext, sessionId: string, update: acp.SessionUpdate) =>
    client.notify('session/update', { sessionId, update });
  const clientSupports = (): ClientSupports => ({
    compaction: !!state.capabilities.session?.compaction,
    notices: !!state.capabilities.session?.notices,
  });
  const logSendFailure = (err: unknown) => {
    // A client that already went away needs no more updates.
    if (!/connection closed/i.test(String(err))) opts.log(`cairn: could not send an update: ${String(err)}`);
  };

  /** Sends after everything already queued for the session. */
  const enqueue = (sessionId: string, job: () => Promise<void>) => {
    const queued = (state.outbox.get(sessionId) ?? Promise.resolve()).then(() => job().catch(logSendFailure));
    state.outbox.set(sessionId, queued);
  };
  // Delegated tasks' sessions, shown live to a client that asks for them.
  const children = new DelegatedChildren({
    enabled: () => wantsChildSessions(state.capabilities) || supportsSubagents(state.capabilities),
    subagents: () => supportsSubagents(state.capabilities),
    enqueue,
    supports: clientSupports,
  });
  registerDelegationRequests(app, children);

  /**
   * The client knows the session now: its events become `session/update`s, in order. After
   * the answer the session is built and its commands announced: `session/new` waits for none
   * of it.
   */
  const attach = (client: AgentContext, session: AgentSession) => {
    state.outbox.set(session.id, Promise.resolve());
    session.subscribe((event) => {
      if (event.type === 'checkpoint') {
        const params = checkpointNotification(session.id, event.checkpoint);
        return enqueue(session.id, () => client.notify(CAIRN_CHECKPOINT_NOTIFICATION, params));
      }
      if (event.type === 'queue_changed') {
        const queued = { sessionId: session.id, queued: event.queued };
        return enqueue(session.id, () => client.notify(CAIRN_QUEUE_NOTIFICATION, queued));
      }
      const update = sessionEventToUpdate(event, clientSupports());
      if (!update) return;
      enqueue(session.id, () => send(client, session.id, update));
    });
    setImmediate(() => {
      // Builds the session (tools, skills, memory…) off the answer's path.
      session.warmUp();
      session.ready().then(
        () =>
          send(client, session.id, {
            sessionUpdate: 'available_commands_update',
            availableCommands: availableCommands(session.commandList()),
          }).catch(logSendFailure),
        // Why it could not be built is the first prompt's answer.
        () => undefined,
      );
    });
  };
  /** Resolves when every update of the session so far has been handed to the connection. */
  const sent = (sessionId: string) => state.outbox.get(sessionId) ?? Promise.resolve();

  const sessionOr404 = (sessionId: string): AgentSession => {
    const session = host.get(sessionId);
    if (!session) throw RequestError.sessionNotFound(sessionId);
    return session;
  };

  const bindings = (client: AgentContext, sessionId: string): ClientBindings => {
    const fs = state.capabilities.fs ?? {};
    return {
      prompter: new ClientPermissionPrompter(client, sessionId),
      workspace: (paths) =>
        fs.readTextFile || fs.writeTextFile
          ? new ClientWorkspace(paths, client, sessionId, {
              read: !!fs.readTextFile,
              write: !!fs.writeTextFile,
            })
          : new DiskWorkspace(paths),
      persistRules: true,
      ...(state.capabilities.terminal
        ? { clientTerminal: new AcpClientTerminalHost(client, sessionId) }
        : {}),
      childSessions: children.observer(client),
      forkConversation: async (sourceId, beforeUserMessage) => {
        const source = sessionOr404(sourceId);
        const fork = await host.fork(sourceId, (id) => bindings(client, id), {
          cwd: source.cwd,
          additionalDirectories: source.additionalDirectories,
          ...(beforeUserMessage !== undefined ? { beforeUserMessage } : {}),
        });
        attach(client, fork);
        return fork.id;
      },
    };
  };

  registerHistoryRequests(app, {
    host,
    bindings,
    attach,
    send,
    clientSupports,
    // Loaded when asked for (its file lock patches fs at import, ~13 ms of a start).
    jobRuns: async () => new (await import('../jobs/job-run-marks.js')).JobRunMarks(opts.services().home),
  });
  registerConversationRequests(app, { host, bindings, attach });
  registerCheckpointRequests(app, { host });

  // Parsed whole: the unstable `subagents` capability must survive (see subagent-updates.ts).
  app.onRequest('initialize', parseInitialize, ({ params }) => {
    state.capabilities = params.clientCapabilities ?? {};
    return initializeResponse(params, opts.facts);
  });

  app.onRequest('authenticate', ({ params }) => {
    if (!AUTH_METHODS.some((m) => m.id === params.methodId))
      throw RequestError.invalidParams(
        { methodId: params.methodId },
        `Unknown authentication method "${params.methodId}"; Cairn offers: ${AUTH_METHODS.map((m) => m.id).join(', ')}`,
      );
    const services = opts.services();
    if (!services.model.ok)
      throw RequestError.authRequired(undefined, `${services.model.problem} ${services.model.hint}`);
    return {};
  });

  app.onRequest('logout', () => {
    // Nothing to forget: keys are read from the environment at start and never stored.
    throw RequestError.invalidRequest(undefined, LOGOUT_NOTHING_STORED);
  });

  app.onRequest('session/new', async ({ params, client }) => {
    const cwd = requireAbsolute(params.cwd, 'cwd');
    const extra = (params.additionalDirectories ?? []).map((d) =>
      requireAbsolute(d, 'additionalDirectories'),
    );
    const session = await host
      .create((id) => bindings(client, id), {
        cwd,
        additionalDirectories: extra,
        mcpServers: params.mcpServers,
      })
      .catch((err: unknown) => {
        // A setting that cannot be honoured (an explicit sandbox without bubblewrap) says so.
        throw asConfigRequestError(err);
      });
    attach(client, session);
    return { sessionId: session.id, modes: modeState(session), configOptions: configOptions(session) };
  });

  app.onRequest('session/prompt', async ({ params, client }) => {
    const session = sessionOr404(params.sessionId);
    checkPrompt(params.prompt);
    try {
      const blocks = params.prompt.some((b) => b.type === 'resource_link')
        ? await inlineLinkedFiles(
            params.prompt,
            bindings(client, session.id).workspace(
              new PathPolicy(session.cwd, session.additionalDirectories),
              session.id,
            ),
          )
        : params.prompt;
      const outcome = await session
        .prompt(promptToUserMessage(blocks, opts.services().config.toolOutput))
        .finally(() => sent(session.id));
      if (outcome.error) {
        if (outcome.error.kind === 'auth') throw RequestError.authRequired(undefined, outcome.error.message);
        // The message says what failed (the network, the endpoint); it is not an internal error.
        throw new RequestError(-32603, outcome.error.message, { kind: outcome.error.kind });
      }
      return {
        stopReason: outcome.stopReason,
        ...promptUsage(outcome.usage),
        ...(outcome.steered ? { _meta: { cairn: { steered: true } } } : {}),
      };
    } catch (err) {
      if (err instanceof ModelNotConfiguredError) {
        throw RequestError.authRequired({ authMethods: ['cairn-model-env'] }, `${err.problem} ${err.hint}`);
      }
      throw err;
    }
  });

  app.onNotification('session/cancel', async ({ params }) => {
    // A child's own id (a client showing subagent sessions) stops that child alone.
    await (host.get(params.sessionId)?.cancel() ?? children.cancelById(params.sessionId));
  });

  app.onRequest('session/set_mode', async ({ params, client }) => {
    const session = sessionOr404(params.sessionId);
    if (!isSessionMode(params.modeId))
      throw RequestError.invalidParams({ modeId: params.modeId }, `Unknown mode "${params.modeId}"`);
    await session.setMode(params.modeId);
    await send(client, session.id, { sessionUpdate: 'current_mode_update', currentModeId: session.mode });
    await send(client, session.id, {
      sessionUpdate: 'config_option_update',
      configOptions: configOptions(session),
    });
    return {};
  });

  app.onRequest('session/set_config_option', async ({ params, client }) => {
    const session = sessionOr404(params.sessionId);
    const value = params.value;
    if (typeof value !== 'string')
      throw RequestError.invalidParams({ configId: params.configId }, 'Expected a string value');
    if (params.configId === 'mode') {
      if (!isSessionMode(value)) throw RequestError.invalidParams({ value }, `Unknown mode "${value}"`);
      await session.setMode(value);
      await send(client, session.id, { sessionUpdate: 'current_mode_update', currentModeId: session.mode });
    } else if (params.configId === 'model') {
      // A model the endpoint does not list is refused, naming the ones it does.
      const problem = await session.modelControls?.checkModel(value);
      if (problem) throw RequestError.invalidParams({ value }, problem);
      try {
        await session.setModel(value);
      } catch (err) {
        throw RequestError.invalidParams({ value }, (err as Error).message);
      }
    } else if (params.configId === REASONING_EFFORT_OPTION && session.modelControls?.offersReasoningEffort) {
      if (!REASONING_EFFORT_CHOICES.some((c) => c.value === value))
        throw RequestError.invalidParams(
          { value },
          `Unknown reasoning effort "${value}"; choose one of ${REASONING_EFFORT_CHOICES.map((c) => c.value).join(', ')}`,
        );
      await session.setConfigValue(REASONING_EFFORT_OPTION, value);
    } else {
      throw RequestError.invalidParams(
        { configId: params.configId },
        `Unknown config option "${params.configId}"`,
      );
    }
    return { configOptions: configOptions(session) };
  });

  app.onRequest('session/close', async ({ params }) => {
    const session = sessionOr404(params.sessionId);
    await host.close(session.id);
    state.outbox.delete(session.id);
    return {};
  });

  const closeAll = () => host.closeAll();
  return { app, closeAll };
}
