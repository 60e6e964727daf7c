/**
 * An in-process ACP agent built with the SDK's `agent()`: a real protocol peer for the host's
 * unit tests. Prompts are scripted by their first word (`hello`, `edit`, `run`, `wait`, `hold`, ...).
 * Like Cairn's server it queues prompts sent during a turn (reporting `_cairn/queue`), takes
 * `/steer`, forks (`session/fork` before a user prompt), renames, and keeps a checkpoint before
 * each `edit` prompt (`_cairn/checkpoints/*`, `_cairn/checkpoint`).
 */
import {
  agent,
  RequestError,
  type AgentContext,
  type AnyMessage,
  type ContentBlock,
  type SessionNotification,
  type StopReason,
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
  steers: string[];
  forks: { sessionId: string; beforeUserMessage: number | undefined }[];
  titles: { sessionId: string; title: string }[];
  restores: { checkpointId: string; conversation: boolean }[];
};

type Checkpoint = {
  id: string;
  number: number;
  createdAt: string;
  prompt: string;
  beforeUserMessage: number;
  files: { path: string; status: 'modified'; added: number; removed: number }[];
};

/** A session's prompts: whether one runs, and those waiting for it (each told to run or not). */
type PromptLine = { running: boolean; waiting: { text: string; start(run: boolean): void }[] };

/** Two object streams crossed over: what one side writes, the other reads. */
export function streamPair(): { client: Stream; agent: Stream } {
  const toAgent = new TransformStream<AnyMessage, AnyMessage>();
  const toClient = new TransformStream<AnyMessage, AnyMessage>();
  return {
    client: { writable: toAgent.writable, readable: toClient.readable },
    agent: { writable: toClient.writable, readable: toAgent.readable },
  };
}

/** Extension request params as sent (the fake trusts its client). */
function readParams<P>(params: unknown): P {
  return params as P;
}

export function createFakeAgent(options: { editPath?: string; unstable?: boolean } = {}) {
  const log: FakeAgentLog = {
    cancels: [],
    writeErrors: [],
    permissionOutcomes: [],
    terminalResults: [],
    prompts: [],
    loads: [],
    steers: [],
    forks: [],
    titles: [],
    restores: [],
  };
  const histories = new Map<string, SessionNotification['update'][]>();
  /** Where each user prompt starts in a session's history. */
  const promptStarts = new Map<string, number[]>();
  const cancelled = new Map<string, () => void>();
  const held: (() => void)[] = [];
  const lines = new Map<string, PromptLine>();
  const checkpoints = new Map<string, Checkpoint[]>();
  let next = 1;
  let checkpointCount = 0;

  const line = (sessionId: string): PromptLine => {
    let l = lines.get(sessionId);
    if (!l) lines.set(sessionId, (l = { running: false, waiting: [] }));
    return l;
  };
  const reportQueue = (
    sessionId: string,
    client: { notify(method: string, params: unknown): Promise<void> },
  ) =>
    client.notify('_cairn/queue', {
      sessionId,
      queued: line(sessionId).waiting.map((w, index) => ({ index, text: w.text })),
    });
  const newSession = (history: SessionNotification['update'][] = [], starts: number[] = []) => {
    const sessionId = `s${next++}`;
    histories.set(sessionId, history);
    promptStarts.set(sessionId, starts);
    return sessionId;
  };
  const fork = (sessionId: string, beforeUserMessage: number | undefined) => {
    const history = histories.get(sessionId);
    if (!history) throw RequestError.resourceNotFound(sessionId);
    const starts = promptStarts.get(sessionId) ?? [];
    const cut =
      beforeUserMessage === undefined ? history.length : (starts[beforeUserMessage] ?? history.length);
    return newSession(
      history.slice(0, cut),
      starts.filter((s) => s < cut),
    );
  };
  const modes = {
    currentModeId: 'ask',
    availableModes: [
      { id: 'ask', name: 'Ask' },
      { id: 'auto', name: 'Auto' },
    ],
  };

  const app = agent({ name: 'fake-agent' })
    .onRequest('initialize', ({ params }) => ({
      protocolVersion: params.protocolVersion,
      agentCapabilities: {
        loadSession: true,
        promptCapabilities: { embeddedContext: true },
        // `fork` and `title` are unstable ACP: the stable schema types only `list`.
        sessionCapabilities: { list: {}, ...(options.unstable === false ? {} : { fork: {}, title: {} }) },
      },
    }))
    .onRequest('session/new', () => ({ sessionId: newSession(), modes }))
    .onRequest(
      'session/fork',
      readParams<{ sessionId: string; _meta?: { cairn?: { beforeUserMessage?: number } } }>,
      ({ params }) => {
        const beforeUserMessage = params._meta?.cairn?.beforeUserMessage;
        log.forks.push({ sessionId: params.sessionId, beforeUserMessage });
        return { sessionId: fork(params.sessionId, beforeUserMessage), modes };
      },
    )
    .onRequest('session/set_title', readParams<{ sessionId: string; title: string }>, ({ params }) => {
      log.titles.push(params);
      return {};
    })
    .onRequest(
      '_cairn/queue/remove',
      readParams<{ sessionId: string; index: number }>,
      async ({ params, client }) => {
        const waiting = line(params.sessionId).waiting;
        const [removed] = waiting.splice(params.index, 1);
        removed?.start(false);
        if (removed) await reportQueue(params.sessionId, client);
        return { removed: !!removed };
      },
    )
    .onRequest('_cairn/checkpoints/list', readParams<{ sessionId: string }>, ({ params }) => ({
      available: true,
      checkpoints: (checkpoints.get(params.sessionId) ?? []).map((c, i, all) => ({
        ...c,
        number: all.length - i,
      })),
    }))
    .onRequest('_cairn/checkpoints/preview', readParams<{ sessionId: string; checkpointId: string }>, () => ({
      files: [
        {
          path: 'a.txt',
          action: 'restore',
          current: 'new text\n',
          restored: 'old text\n',
          handEdited: false,
        },
        { path: 'b.txt', action: 'remove', current: 'made by a command\n', restored: null, handEdited: true },
      ],
    }))
    .onRequest(
      '_cairn/checkpoints/restore',
      readParams<{ sessionId: string; checkpointId: string; conversation: boolean }>,
      ({ params }) => {
        log.restores.push({ checkpointId: params.checkpointId, conversation: params.conversation });
        const cp = checkpoints.get(params.sessionId)?.find((c) => c.id === params.checkpointId);
        if (!cp) throw RequestError.invalidParams(undefined, `no checkpoint ${params.checkpointId}`);
        return {
          restored: ['a.txt'],
          kept: ['b.txt'],
          undoCheckpointId: 'undo-1',
          ...(params.conversation ? { forkSessionId: fork(params.sessionId, cp.beforeUserMessage) } : {}),
        };
      },
    )
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
      // ACP: the queued prompts are answered `cancelled` with the turn.
      for (const w of line(params.sessionId).waiting.splice(0)) w.start(false);
      cancelled.get(params.sessionId)?.();
    })
    .onRequest('session/prompt', async ({ params, client }) => {
      const { sessionId } = params;
      const first = params.prompt[0];
      const text = first?.type === 'text' ? first.text : '';
      const l = line(sessionId);
      if (text.startsWith('/steer ') && l.running) {
        log.steers.push(text.slice('/steer '.length));
        return { stopReason: 'end_turn' as const, _meta: { cairn: { steered: true } } };
      }
      if (text.startsWith('/title ')) {
        log.titles.push({ sessionId, title: text.slice('/title '.length) });
        await client.notify('session/update', {
          sessionId,
          update: { sessionUpdate: 'session_info_update', title: text.slice('/title '.length) },
        });
        return { stopReason: 'end_turn' as const };
      }
      if (l.running) {
        const run = await new Promise<boolean>((start) => {
          l.waiting.push({ text, start });
          void reportQueue(sessionId, client);
        });
        if (!run) return { stopReason: 'cancelled' as const };
      }
      l.running = true;
      try {
        return await runPrompt(params, client);
      } finally {
        const waiting = l.waiting.shift();
        l.running = !!waiting;
        if (waiting) {
          void reportQueue(sessionId, client);
          waiting.start(true);
        }
      }
    });

  async function runPrompt(
    params: { sessionId: string; prompt: ContentBlock[] },
    client: AgentContext,
  ): Promise<{ stopReason: StopReason }> {
    {
      const { sessionId } = params;
      log.prompts.push(params.prompt);
      const history = histories.get(sessionId)!;
      const send = async (update: SessionNotification['update']) => {
        history.push(update);
        await client.notify('session/update', { sessionId, update });
      };
      const first = params.prompt[0];
      const text = first?.type === 'text' ? first.text : '';
      const word = text.split(' ')[0];
      const starts = promptStarts.get(sessionId)!;
      if (word === 'edit') {
        // The files as they were before this prompt: a checkpoint, announced.
        const checkpoint: Checkpoint = {
          id: `cp${++checkpointCount}`,
          number: 1,
          createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, checkpointCount)).toISOString(),
          prompt: text.split('\n')[0]!,
          beforeUserMessage: starts.length,
          files: [{ path: 'a.txt', status: 'modified', added: 1, removed: 1 }],
        };
        checkpoints.set(sessionId, [checkpoint, ...(checkpoints.get(sessionId) ?? [])]);
        await client.notify('_cairn/checkpoint', { sessionId, checkpoint });
      }
      starts.push(history.length);
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
      } else if (word === 'offer') {
        await send({
          sessionUpdate: 'available_commands_update',
          availableCommands: [
            { name: 'steer', description: 'Steer the running turn' },
            { name: 'title', description: 'Rename the chat' },
          ],
        });
      } else if (word === 'wait') {
        await new Promise<void>((resolve) => cancelled.set(sessionId, resolve));
        return { stopReason: 'cancelled' };
      } else if (word === 'hold') {
        // Runs until the test calls release() (or Stop).
        const stopped = await new Promise<boolean>((resolve) => {
          held.push(() => resolve(false));
          cancelled.set(sessionId, () => resolve(true));
        });
        if (stopped) return { stopReason: 'cancelled' };
        await send({
          sessionUpdate: 'agent_message_chunk',
          content: { type: 'text', text: `done: ${text}` },
        });
      } else if (word) {
        await send({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: `re: ${text}` } });
      }
      return { stopReason: 'end_turn' };
    }
  }

  /** Ends the oldest `hold` prompt's turn. */
  function release(): void {
    held.shift()?.();
  }

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

  return { app, log, launch, release };
}
