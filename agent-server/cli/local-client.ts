import * as acp from '@agentclientprotocol/sdk';
import * as readline from 'node:readline/promises';
import { createCairnAgent } from '../acp/agent.js';
import { MCP_ADVERTISED, HISTORY_ADVERTISED } from '../acp/advertised.js';
import { loadRuntimeServices } from '../runtime/services.js';
import { UpdateRenderer, bold, yellow, renderDiff } from './render.js';

/** How the terminal user answers permission requests. */
export type ApprovalPolicy = 'all' | 'edits' | 'ask' | 'none';

export interface LocalRunOptions {
  cwd: string;
  prompt: string;
  approvals: ApprovalPolicy;
  mode?: string;
  env: NodeJS.ProcessEnv;
  out: (s: string) => void;
  err: (s: string) => void;
  signal?: AbortSignal;
}

async function askOnTerminal(
  params: acp.RequestPermissionRequest,
  cwd: string,
  err: (s: string) => void,
): Promise<string | undefined> {
  for (const c of params.toolCall.content ?? []) if (c.type === 'diff') err(renderDiff(c, cwd) + '\n');
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const choices = params.options.map((o, i) => `${i + 1}) ${o.name}`).join('  ');
    const answer = await rl.question(
      `${yellow('?')} ${bold(params.toolCall.title ?? 'Allow?')}\n  ${choices} › `,
    );
    const picked = params.options[Number(answer.trim()) - 1];
    return picked?.optionId;
  } finally {
    rl.close();
  }
}

/**
 * Runs one prompt through Cairn's ACP agent in-process, with a terminal as the client:
 * the same code path an editor drives, rendered as text.
 */
export async function runPromptLocally(opts: LocalRunOptions): Promise<acp.StopReason> {
  const { app, closeAll } = createCairnAgent({
    services: () => loadRuntimeServices(opts.env),
    facts: { terminalBackend: 'auto', mcp: MCP_ADVERTISED, history: HISTORY_ADVERTISED },
    log: (l) => opts.err(l + '\n'),
  });
  const renderer = new UpdateRenderer(opts.out, opts.cwd);
  const client = acp
    .client({ name: 'cairn-cli' })
    .onNotification('session/update', ({ params }) => renderer.render(params.update))
    .onRequest('session/request_permission', async ({ params }) => {
      renderer.finish();
      const byKind = (kind: acp.PermissionOptionKind) =>
        params.options.find((o) => o.kind === kind)?.optionId;
      const isEdit = params.toolCall.kind === 'edit';
      let optionId: string | undefined;
      if (opts.approvals === 'all' || (opts.approvals === 'edits' && isEdit)) optionId = byKind('allow_once');
      else if (opts.approvals === 'ask' && process.stdin.isTTY)
        optionId = await askOnTerminal(params, opts.cwd, opts.err);
      else {
        opts.err(
          yellow(
            `Rejected (no approval given): ${params.toolCall.title}. Use --yes or --approve edits to allow.\n`,
          ),
        );
        optionId = byKind('reject_once');
      }
      return optionId
        ? { outcome: { outcome: 'selected', optionId } }
        : { outcome: { outcome: 'cancelled' } };
    });

  try {
    return await client.connectWith(app, async (ctx) => {
      await ctx.request('initialize', { protocolVersion: acp.PROTOCOL_VERSION, clientCapabilities: {} });
      const session = await ctx.request('session/new', { cwd: opts.cwd, mcpServers: [] });
      if (opts.mode)
        await ctx.request('session/set_mode', { sessionId: session.sessionId, modeId: opts.mode });
      const onAbort = () => void ctx.notify('session/cancel', { sessionId: session.sessionId });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const response = await ctx.request('session/prompt', {
          sessionId: session.sessionId,
          prompt: [{ type: 'text', text: opts.prompt }],
        });
        return response.stopReason;
      } finally {
        opts.signal?.removeEventListener('abort', onAbort);
        renderer.finish();
      }
    });
  } finally {
    await closeAll();
  }
}
