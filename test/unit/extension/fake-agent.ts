/**
 * An in-process ACP agent built with the SDK's `agent()`: a real protocol peer for the host's
 * unit tests. Prompts are scripted by their first word (`hello`, `edit`, `run`, `wait`, ...).
 */
import {
  agent,
  RequestError,
  type AnyMessage,
  type SessionNotification,
  type Stream,
} from '@agentclientprotocol/sdk';
import type { LaunchedAgent } from '../../../extension/chat-host.js';
import type { ServerExit } from '../../../shared/webview-protocol.js';

export type FakeAgentLog = {
  cancels: string[];
  writeErrors: string[];
  permissionOutcomes: unknown[];
  terminalResults: { output: string; exitCode: number | null | undefined; truncated: boolean }[];
  prompts: unknown[][];
  loads: string[];
};

/** Two object streams crossed over: what one side writes, the other reads. */
export function streamPair(): { client: Stream; agent: Stream } {
  const toAgent = new TransformStream<AnyMessage, AnyMessage>();
  const toClient = new TransformStream<AnyMessage, AnyMessage>();
  return {
    client: { writable: toAgent.writable, readable: toClient.readable },
    agent: { writable: toClient.writable, readable: toAgent.readable },
  };
}

export function createFakeAgent(options: { editPath?: string } = {}) {
  const log: FakeAgentLog = {
    cancels: [],
    writeErrors: [],
    permissionOutcomes: [],
    terminalResults: [],
    prompts: [],
    loads: [],
  };
  const histories = new Map<string, SessionNotification['update'][]>();
  const cancelled = new Map<string, () => void>();
  let next = 1;

  const app = agent({ name: 'fake-agent' })
    .onRequest('initialize', ({ params }) => ({
      protocolVersion: params.protocolVersion,
      agentCapabilities: {
        loadSession: true,
        promptCapabilities: { embeddedContext: true },
        sessionCapabilities: { list: {} },
      },
    }))
    .onRequest('session/new', () => {
      const sessionId = `s${next++}`;
      histories.set(sessionId, []);
      return {
        sessionId,
        modes: {
          currentModeId: 'ask',
          availableModes: [
            { id: 'ask', name: 'Ask' },
            { id: 'auto', name: 'Auto' },
          ],
        },
      };
    })
    .onRequest('session/list', () => ({
      sessions: [...histories.keys()].map((sessionId) => ({
        sessionId,
        cwd: '/w',
        title: `Chat ${sessionId}`,
      })),
    }))
    .onRequest('session/set_mode', () => ({}))
    .onRequest('session/set_config_option', ({ params }) => ({
      configOptions: [
        {
          type: 'select' as const,
          id: params.configId,
          name: 'Model',
          category: 'model',
          currentValue: String(params.value),
          options: [
            { value: 'small', name: 'Small' },
            { value: 'large', name: 'Large' },
          ],
        },
      ],
    }))
    .onRequest('session/load', async ({ params, client }) => {
      const history = histories.get(params.sessionId);
      if (!history) throw RequestError.resourceNotFound(params.sessionId);
      log.loads.push(params.sessionId);
      for (const update of history)
        await client.notify('session/update', { sessionId: params.sessionId, update });
      return {};
    })
    .onNotification('session/cancel', ({ params }) => {
      log.cancels.push(params.sessionId);
      cancelled.get(params.sessionId)?.();
    })
    .onRequest('session/prompt', async ({ params, client }) => {
      const { sessionId } = params;
      log.prompts.push(params.prompt);
      const history = histories.get(sessionId)!;
      const send = async (update: SessionNotification['update']) => {
        history.push(update);
        await client.notify('session/update', { sessionId, update });
      };
      const first = params.prompt[0];
      const word = first?.type === 'text' ? first.text.split(' ')[0] : '';
      for (const content of params.prompt) history.push({ sessionUpdate: 'user_message_chunk', content });

      if (word === 'name') {
        await send({ sessionUpdate: 'session_info_update', title: 'Named by the agent' });
      } else if (word === 'hello') {
        await send({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'Hi ' } });
        await send({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'there' } });
        await send({
          sessionUpdate: 'available_commands_update',
          availableCommands: [{ name: 'memory', description: 'Show memory' }],
        });
      } else if (word === 'edit') {
        const path = options.editPath!;
        await send({
          sessionUpdate: 'tool_call',
          toolCallId: 'edit-1',
          title: 'Edit file',
          kind: 'edit',
          status: 'in_progress',
          locations: [{ path }],
        });
        try {
          await client.request('fs/write_text_file', { sessionId, path, content: 'new text\n' });
          await send({ sessionUpdate: 'tool_call_update', toolCallId: 'edit-1', status: 'completed' });
        } catch (err) {
          log.writeErrors.push((err as Error).message);
          await send({ sessionUpdate: 'tool_call_update', toolCallId: 'edit-1', status: 'failed' });
        }
      } else if (word === 'permit') {
        const path = options.editPath!;
        const res = await client.request('session/request_permission', {
          sessionId,
          toolCall: {
            toolCallId: 'perm-edit',
            title: 'Edit file',
            kind: 'edit',
            content: [{ type: 'diff', path, oldText: 'old', newText: 'approved text\n' }],
          },
          options: [
            { optionId: 'yes', name: 'Allow', kind: 'allow_once' },
            { optionId: 'no', name: 'Reject', kind: 'reject_once' },
          ],
        });
        log.permissionOutcomes.push(res.outcome);
        if (res.outcome.outcome === 'selected' && res.outcome.optionId === 'yes') {
          try {
            await client.request('fs/write_text_file', { sessionId, path, content: 'approved text\n' });
          } catch (err) {
            log.writeErrors.push((err as Error).message);
          }
        }
      } else if (word === 'run') {
        const res = await client.request('session/request_permission', {
          sessionId,
          toolCall: { toolCallId: 'cmd-1', title: 'Run printf', kind: 'execute' },
          options: [
            { optionId: 'once', name: 'Allow once', kind: 'allow_once' },
            { optionId: 'always', name: 'Always allow', kind: 'allow_always' },
            { optionId: 'reject', name: 'Reject', kind: 'reject_once' },
          ],
        });
        log.permissionOutcomes.push(res.outcome);
        if (res.outcome.outcome === 'selected' && res.outcome.optionId !== 'reject') {
          const term = await client.createTerminal({
            sessionId,
            command: "printf 'abcdefghij'; printf 'é%.0s' 1 2 3",
            outputByteLimit: 8,
          });
          await send({
            sessionUpdate: 'tool_call',
            toolCallId: 'cmd-1',
            title: 'Run printf',
            kind: 'execute',
            content: [{ type: 'terminal', terminalId: term.id }],
          });
          const exit = await term.waitForExit();
          const out = await term.currentOutput();
          log.terminalResults.push({ output: out.output, exitCode: exit.exitCode, truncated: out.truncated });
          await term.release();
        }
      } else if (word === 'wait') {
        await new Promise<void>((resolve) => cancelled.set(sessionId, resolve));
        return { stopReason: 'cancelled' };
      }
      return { stopReason: 'end_turn' };
    });

  /** Connects a new client; `crash()` ends it the way a dying server process would. */
  function launch(): LaunchedAgent & { crash(code: number): void } {
    const pair = streamPair();
    const connection = app.connect(pair.agent);
    let resolveExit!: (e: ServerExit) => void;
    const exited = new Promise<ServerExit>((r) => (resolveExit = r));
    const end = (exit: ServerExit) => {
      connection.close();
      resolveExit(exit);
    };
    return {
      stream: pair.client,
      exited,
      stop: () => end({ code: 0, signal: null, message: 'stopped' }),
      crash: (code) => end({ code, signal: null, message: `crashed with ${code}` }),
    };
  }

  return { app, log, launch };
}
