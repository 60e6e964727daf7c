import { randomUUID } from 'node:crypto';
import * as acp from '@agentclientprotocol/sdk';
import type { TokenUsage } from '../core/model-client.js';
import { isSessionMode } from '../permissions/policy.js';
import { AgentSession, ModelNotConfiguredError, TurnInProgressError } from '../runtime/agent-session.js';
import { createAgentSession, type ClientBindings } from '../runtime/session-factory.js';
import type { RuntimeServices } from '../runtime/services.js';
import { parseSlashCommand } from '../runtime/slash-commands.js';
import { DiskWorkspace } from '../workspace/disk-workspace.js';
import { initializeResponse, type InitializeFacts } from './capabilities.js';
import { ClientPermissionPrompter } from './client-prompter.js';
import { ClientWorkspace } from './client-workspace.js';
import { AcpClientTerminalHost } from './client-terminal-host.js';
import { availableCommands, configOptions, modeState } from './session-config.js';
import { noticeAsUpdate, promptToUserMessage, turnEventToUpdate } from './translate.js';
import { AcpSessionHistory } from './session-history.js';
import { checkPrompt, requireAbsolute } from './input-checks.js';
import { estimateTokens } from '../core/compaction.js';

/** Used when neither config nor provider tells the context window. */
const DEFAULT_CONTEXT_WINDOW = 128_000;

export interface CairnAgentOptions {
  /** Loaded lazily on first use so `initialize` never waits for config or model set-up. */
  services: () => RuntimeServices;
  facts: InitializeFacts;
  log: (line: string) => void;
}

/** Per-connection state: the client's capabilities and its live sessions. */
interface ConnectionState {
  capabilities: acp.ClientCapabilities;
  sessions: Map<string, AgentSession>;
}

/** A ConfigError becomes an error whose message is its text; anything else passes through. */
function asConfigRequestError(err: unknown): unknown {
  if (err instanceof Error && err.name === 'ConfigError')
    return new acp.RequestError(-32603, err.message, { kind: 'config', details: err.message });
  return err;
}

/** The ACP agent: requests → sessions, turn events → `session/update`. */
export function createCairnAgent(opts: CairnAgentOptions): {
  app: acp.AgentApp;
  closeAll: () => Promise<void>;
} {
  const state: ConnectionState = { capabilities: {}, sessions: new Map() };
  const app = acp.agent({ name: 'cairn' });
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

  const send = (client: acp.AgentContext, sessionId: string, update: acp.SessionUpdate) =>
    client.notify('session/update', { sessionId, update });

  const history = new AcpSessionHistory({
    history: () => opts.services().history,
    sessions: state.sessions,
    restore: (client, p) =>
      createAgentSession(opts.services(), bindings(client, p.id), {
        id: p.id,
        cwd: p.cwd,
        additionalDirectories: p.additionalDirectories,
        mcpServers: p.mcpServers,
        createdAt: p.createdAt,
        earlier: p.earlier,
      }),
    announce: (client, session) => announce(client, session),
    send,
    clientSupports: () => ({
      compaction: !!state.capabilities.session?.compaction,
      notices: !!state.capabilities.session?.notices,
    }),
    log: opts.log,
  });
  history.register(app);

  const sessionOr404 = (sessionId: string): AgentSession => {
    const session = state.sessions.get(sessionId);
    if (!session) throw acp.RequestError.sessionNotFound(sessionId);
    return session;
  };

  const bindings = (client: acp.AgentContext, sessionId: string): ClientBindings => {
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
    };
  };

  /**
   * Sent right after the session/new (or load) response, so the client knows the session.
   * The history index loads then too: after the answer, so neither `initialize` nor the
   * first session waits for it (listing and search load it on demand if asked sooner).
   */
  const announce = (client: acp.AgentContext, session: AgentSession) => {
    setImmediate(() => {
      void send(client, session.id, {
        sessionUpdate: 'available_commands_update',
        availableCommands: availableCommands(session),
      }).catch((err: unknown) => {
        // A client that already went away needs no command list.
        if (!/connection closed/i.test(String(err)))
          opts.log(`cairn: could not send commands: ${String(err)}`);
      });
      history.warmUp();
    });
  };

  app.onRequest('initialize', ({ params }) => {
    state.capabilities = params.clientCapabilities ?? {};
    return initializeResponse(params, opts.facts);
  });

  app.onRequest('authenticate', () => {
    const services = opts.services();
    if (!services.model.ok)
      throw acp.RequestError.authRequired(undefined, `${services.model.problem} ${services.model.hint}`);
    return {};
  });

  app.onRequest('session/new', async ({ params, client }) => {
    const cwd = requireAbsolute(params.cwd, 'cwd');
    const extra = (params.additionalDirectories ?? []).map((d) =>
      requireAbsolute(d, 'additionalDirectories'),
    );
    const id = randomUUID();
    const session = await createAgentSession(opts.services(), bindings(client, id), {
      id,
      cwd,
      additionalDirectories: extra,
      mcpServers: params.mcpServers,
    }).catch((err: unknown) => {
      // A setting that cannot be honoured (an explicit sandbox without bubblewrap) says so.
      throw asConfigRequestError(err);
    });
    await history.started(session);
    state.sessions.set(id, session);
    announce(client, session);
    return { sessionId: id, modes: modeState(session), configOptions: configOptions(session) };
  });

  app.onRequest('session/prompt', async ({ params, client }) => {
    const session = sessionOr404(params.sessionId);
    checkPrompt(params.prompt);
    // A turn can change the command list (skill_manage saved a skill): re-send it then.
    const commandsBefore = JSON.stringify(availableCommands(session));
    const message = promptToUserMessage(params.prompt);
    const text = typeof message.content === 'string' ? message.content : '';
    const command = parseSlashCommand(text);
    if (command?.name === 'compact') {
      const reply = await history.compact(client, session);
      await send(client, session.id, {
        sessionUpdate: 'agent_message_chunk',
        content: { type: 'text', text: reply },
      });
      return { stopReason: 'end_turn' as const };
    }
    const known = command && session.commands.find((c) => c.name === command.name);
    if (known && command) {
      const result = await known.run(session, command.args);
      if ('reply' in result) {
        await send(client, session.id, {
          sessionUpdate: 'agent_message_chunk',
          content: { type: 'text', text: result.reply },
        });
        return { stopReason: 'end_turn' as const };
      }
      message.content = result.prompt;
    }

    let usage: TokenUsage | undefined;
    let turn: AsyncGenerator<import('../core/events.js').TurnEvent, import('../core/events.js').TurnOutcome>;
    try {
      await history.compactIfNeeded(client, session, DEFAULT_CONTEXT_WINDOW);
      turn = session.prompt(message);
      let step = await turn.next();
      while (!step.done) {
        const event = step.value;
        if (event.type === 'usage') usage = event.usage;
        history.observe(session.id, event);
        const update =
          event.type === 'notice'
            ? noticeAsUpdate(event.severity, event.message, !!state.capabilities.session?.notices)
            : turnEventToUpdate(event);
        if (update) await send(client, session.id, update);
        step = await turn.next();
      }
      const outcome = step.value;
      await history.turnEnded(client, session);
      // After every turn; a model that reports no usage gets an estimate from the text.
      await send(client, session.id, {
        sessionUpdate: 'usage_update',
        used: usage
          ? usage.inputTokens + usage.outputTokens
          : estimateTokens(session.conversation.systemPrompt, session.conversation.messages),
        size: session.contextWindow ?? DEFAULT_CONTEXT_WINDOW,
      });
      if (outcome.error) {
        if (outcome.error.kind === 'auth')
          throw acp.RequestError.authRequired(undefined, outcome.error.message);
        // The message says what failed (the network, the endpoint); it is not an internal error.
        throw new acp.RequestError(-32603, outcome.error.message, { kind: outcome.error.kind });
      }
      return { stopReason: outcome.stopReason };
    } catch (err) {
      if (err instanceof ModelNotConfiguredError) {
        throw acp.RequestError.authRequired(
          { authMethods: ['cairn-model-env'] },
          `${err.problem} ${err.hint}`,
        );
      }
      if (err instanceof TurnInProgressError) throw acp.RequestError.invalidRequest(undefined, err.message);
      throw err;
    } finally {
      if (JSON.stringify(availableCommands(session)) !== commandsBefore) announce(client, session);
    }
  });

  app.onNotification('session/cancel', async ({ params }) => {
    await state.sessions.get(params.sessionId)?.cancel();
  });

  app.onRequest('session/set_mode', async ({ params, client }) => {
    const session = sessionOr404(params.sessionId);
    if (!isSessionMode(params.modeId))
      throw acp.RequestError.invalidParams({ modeId: params.modeId }, `Unknown mode "${params.modeId}"`);
    session.setMode(params.modeId);
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
      throw acp.RequestError.invalidParams({ configId: params.configId }, 'Expected a string value');
    if (params.configId === 'mode') {
      if (!isSessionMode(value)) throw acp.RequestError.invalidParams({ value }, `Unknown mode "${value}"`);
      session.setMode(value);
      await send(client, session.id, { sessionUpdate: 'current_mode_update', currentModeId: session.mode });
    } else if (params.configId === 'model') {
      try {
        session.setModel(value);
      } catch (err) {
        throw acp.RequestError.invalidParams({ value }, (err as Error).message);
      }
    } else {
      throw acp.RequestError.invalidParams(
        { configId: params.configId },
        `Unknown config option "${params.configId}"`,
      );
    }
    return { configOptions: configOptions(session) };
  });

  app.onRequest('session/close', async ({ params }) => {
    const session = sessionOr404(params.sessionId);
    state.sessions.delete(session.id);
    await history.closed(session.id);
    await session.close();
    return {};
  });

  const closeAll = async () => {
    const all = [...state.sessions.values()];
    state.sessions.clear();
    await Promise.allSettled(all.map((s) => s.close()));
    await history.closeAll();
  };
  return { app, closeAll };
}
