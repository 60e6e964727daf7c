import * as acp from '@agentclientprotocol/sdk';
import { createCairnAgent } from '../acp/agent.js';
import { connectInProcess } from '../acp/rpc/index.js';
import { MCP_ADVERTISED, HISTORY_ADVERTISED } from '../acp/advertised.js';
import { loadRuntimeServices } from '../runtime/services.js';
import { TerminalApprover, type ApprovalFlags } from './approvals.js';
import { ProgressIndicator } from './progress.js';
import { UpdateRenderer, dim, yellow } from './render.js';

export type { ApprovalPolicy } from './approvals.js';

export interface LocalRunOptions extends ApprovalFlags {
  cwd: string;
  prompt: string;
  mode?: string;
  env: NodeJS.ProcessEnv;
  out: (s: string) => void;
  err: (s: string) => void;
  signal?: AbortSignal;
  /** Progress indicator: a spinner on a terminal, plain lines otherwise, or none (the demo's own look). */
  progress?: 'auto' | 'off';
}

export interface LocalRunResult {
  stopReason: acp.StopReason;
  /** What was refused for want of someone to ask, and why; empty when nothing was. */
  refusalSummary?: string;
}

/** The `todo` tool's call: its result is the plan, which is printed as the plan block. */
function isPlanToolCall(update: acp.SessionUpdate): boolean {
  if (update.sessionUpdate !== 'tool_call' || update.kind !== 'think') return false;
  const input = update.rawInput as { todos?: unknown } | undefined;
  return Array.isArray(input?.todos);
}

/** Tracks whether the terminal's cursor sits at a line start, across stdout and stderr. */
function lineTracker() {
  let atStart = true;
  return {
    saw: (s: string) => {
      if (s) atStart = s.endsWith('\n');
    },
    atLineStart: () => atStart,
  };
}

/**
 * Runs one prompt through Cairn's ACP agent in-process, with a terminal as the client:
 * the same code path an editor drives, rendered as text. Config errors throw before anything
 * starts (a ConfigError whose message says what to fix).
 */
export async function runPromptLocally(opts: LocalRunOptions): Promise<LocalRunResult> {
  // Read once, up front: a bad config.json stops here with its own message.
  const services = loadRuntimeServices(opts.env);
  const { app, closeAll } = createCairnAgent({
    services: () => services,
    facts: { terminalBackend: 'auto', mcp: MCP_ADVERTISED, history: HISTORY_ADVERTISED },
    log: (l) => err(l + '\n'),
  });

  const tty = opts.progress !== 'off' && !!process.stderr.isTTY;
  const line = lineTracker();
  const progress = new ProgressIndicator({
    write: (s) => process.stderr.write(s),
    tty,
    columns: () => process.stderr.columns ?? 80,
    atLineStart: line.atLineStart,
    dim,
  });
  const out = (s: string) => {
    progress.clear();
    if (process.stdout.isTTY) line.saw(s);
    opts.out(s);
  };
  const err = (s: string) => {
    progress.clear();
    line.saw(s);
    opts.err(s);
  };
  const ticker = opts.progress === 'off' ? undefined : setInterval(() => progress.tick(), tty ? 120 : 1000);
  ticker?.unref();

  const approver = new TerminalApprover(opts, {
    input: process.stdin,
    output: process.stderr,
    canAsk: !!process.stdin.isTTY,
    cwd: opts.cwd,
    warn: err,
  });
  const renderer = new UpdateRenderer(out, opts.cwd);
  // Shown once, as the plan block, rather than also as a tool call (unless it failed).
  const planCalls = new Set<string>();
  const shownOnce = (update: acp.SessionUpdate): boolean => {
    if (isPlanToolCall(update) && update.sessionUpdate === 'tool_call') planCalls.add(update.toolCallId);
    if (update.sessionUpdate !== 'tool_call' && update.sessionUpdate !== 'tool_call_update') return true;
    return !planCalls.has(update.toolCallId) || update.status === 'failed';
  };
  const client = acp
    .client({ name: 'cairn-cli' })
    .onNotification('session/update', ({ params }) => {
      const update = params.update;
      progress.observe(update);
      // Notices (a retry, a sandbox fallback) are about the run, not the answer: stderr.
      if (update.sessionUpdate === 'notice') err(yellow(`! ${update.title}\n`));
      else if (shownOnce(update)) renderer.render(update);
    })
    .onRequest('session/request_permission', async ({ params }) => {
      renderer.finish();
      progress.pause();
      try {
        return await approver.answer(params);
      } finally {
        progress.resume();
      }
    });

  try {
    const stopReason = await client.connectWith(connectInProcess(app).stream, async (ctx) => {
      await ctx.request('initialize', {
        protocolVersion: acp.PROTOCOL_VERSION,
        // `notices`: Cairn's own update kind, so retries and fallbacks reach stderr, not the answer.
        clientCapabilities: { session: { notices: {} } },
      });
      const session = await ctx.request('session/new', { cwd: opts.cwd, mcpServers: [] });
      if (opts.mode)
        await ctx.request('session/set_mode', { sessionId: session.sessionId, modeId: opts.mode });
      const onAbort = () => void ctx.notify('session/cancel', { sessionId: session.sessionId });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      progress.setActivity('waiting for the model');
      try {
        const response = await ctx.request('session/prompt', {
          sessionId: session.sessionId,
          prompt: [{ type: 'text', text: opts.prompt }],
        });
        return response.stopReason;
      } finally {
        opts.signal?.removeEventListener('abort', onAbort);
        progress.setActivity(undefined);
        progress.clear();
        renderer.finish();
      }
    });
    return { stopReason, refusalSummary: approver.summary() };
  } finally {
    if (ticker) clearInterval(ticker);
    progress.clear();
    await closeAll();
  }
}
