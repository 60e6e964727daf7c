import * as fs from 'node:fs/promises';
import * as acp from '@agentclientprotocol/sdk';
import { createCairnAgent } from '../../agent-server/acp/agent.js';
import { connectInProcess } from '../../agent-server/acp/rpc/index.js';
import { HISTORY_ADVERTISED, MCP_ADVERTISED } from '../../agent-server/acp/advertised.js';
import type { RuntimeServices } from '../../agent-server/runtime/services.js';
import type { PermissionAnswer } from './acp-harness.js';

/**
 * Cairn's ACP agent and an SDK client connected in-process (`client.connectWith(connectInProcess(app).stream)`, as
 * `cairn run` does): adapter tests drive the real request handlers without a built dist/ or
 * a child process. Records every update and permission request.
 */
export class InProcessAcp {
  readonly updates: acp.SessionNotification[] = [];
  readonly permissions: acp.RequestPermissionRequest[] = [];
  /** Notifications outside ACP's own (Cairn's `_cairn/...` extensions), in order. */
  readonly extNotifications: { method: string; params: unknown }[] = [];
  private constructor(
    private readonly ctx: acp.ClientContext,
    private readonly finish: () => Promise<void>,
  ) {}

  static async start(opts: {
    services: RuntimeServices;
    clientCapabilities?: acp.ClientCapabilities;
    permission?: PermissionAnswer;
  }): Promise<InProcessAcp> {
    const { app, closeAll } = createCairnAgent({
      services: () => opts.services,
      facts: { terminalBackend: 'auto', mcp: MCP_ADVERTISED, history: HISTORY_ADVERTISED },
      log: () => {},
    });
    let harness: InProcessAcp | undefined;
    const client = acp
      .client({ name: 'cairn-in-process-tests' })
      .onNotification('session/update', ({ params }) => {
        harness!.updates.push(params);
      })
      .onNotification('*', ({ method, params }) => {
        harness!.extNotifications.push({ method, params });
      })
      .onRequest('session/request_permission', async ({ params }) => {
        harness!.permissions.push(params);
        const answer = opts.permission ? await opts.permission(params) : 'allow_once';
        return answer === 'cancelled'
          ? { outcome: { outcome: 'cancelled' as const } }
          : { outcome: { outcome: 'selected' as const, optionId: answer } };
      })
      .onRequest('fs/read_text_file', async ({ params }) => ({
        content: await fs.readFile(params.path, 'utf8'),
      }))
      .onRequest('fs/write_text_file', async ({ params }) => {
        await fs.writeFile(params.path, params.content);
        return {};
      });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let running!: Promise<void>;
    const ctx = await new Promise<acp.ClientContext>((resolve, reject) => {
      running = client.connectWith(connectInProcess(app).stream, async (c) => {
        resolve(c);
        await held;
      });
      running.catch(reject);
    });
    harness = new InProcessAcp(ctx, async () => {
      release();
      await running.catch(() => undefined);
      await closeAll();
    });
    await ctx.request('initialize', {
      protocolVersion: acp.PROTOCOL_VERSION,
      clientCapabilities: opts.clientCapabilities ?? {},
    });
    return harness!;
  }

  request<M extends acp.AgentRequestMethod>(method: M, params: acp.AgentRequestParamsByMethod[M]) {
    return this.ctx.request(method, params);
  }

  /** A request by any method name (Cairn's `_cairn/...` extensions). */
  extRequest<R>(method: string, params: unknown): Promise<R> {
    return this.ctx.request<R>(method, params);
  }

  notify<M extends acp.AgentNotificationMethod>(method: M, params: acp.AgentNotificationParamsByMethod[M]) {
    return this.ctx.notify(method, params);
  }

  newSession(cwd: string): Promise<acp.NewSessionResponse> {
    return this.request('session/new', { cwd, mcpServers: [] });
  }

  prompt(sessionId: string, text: string): Promise<acp.PromptResponse> {
    return this.request('session/prompt', { sessionId, prompt: [{ type: 'text', text }] });
  }

  updatesOf<K extends acp.SessionUpdate['sessionUpdate']>(sessionId: string, kind: K) {
    return this.updates
      .filter((n) => n.sessionId === sessionId && n.update.sessionUpdate === kind)
      .map((n) => n.update as Extract<acp.SessionUpdate, { sessionUpdate: K }>);
  }

  close(): Promise<void> {
    return this.finish();
  }
}
