import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as acp from '@agentclientprotocol/sdk';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const serverJs = path.join(repoRoot, 'dist', 'cairn.js');

export type PermissionAnswer = (
  req: acp.RequestPermissionRequest,
) => string | 'cancelled' | Promise<string | 'cancelled'>;

export interface HarnessOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  clientCapabilities?: acp.ClientCapabilities;
  /** Answers permission requests with an optionId (default: allow_once). */
  permission?: PermissionAnswer;
  /** Answers fs/read_text_file (default: read the disk). */
  readTextFile?: (params: acp.ReadTextFileRequest) => Promise<string>;
  writeTextFile?: (params: acp.WriteTextFileRequest) => Promise<void>;
}

/**
 * The built `cairn acp` as a child process, driven by the ACP SDK's client side — the same
 * wire an editor uses. Records every update and permission request.
 */
export class AcpHarness {
  readonly updates: acp.SessionNotification[] = [];
  readonly permissions: acp.RequestPermissionRequest[] = [];
  readonly writes: acp.WriteTextFileRequest[] = [];
  readonly reads: acp.ReadTextFileRequest[] = [];
  stderr = '';
  private constructor(
    readonly child: ChildProcess,
    readonly connection: acp.ClientConnection,
  ) {}

  static async start(opts: HarnessOptions): Promise<AcpHarness> {
    assert.ok(existsSync(serverJs), `${serverJs} is missing: run \`npm run build\` first (npm test does).`);
    const child = spawn(process.execPath, [serverJs, 'acp'], {
      env: opts.env,
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let harness: AcpHarness | undefined;
    const fsMod = await import('node:fs/promises');
    const app = acp
      .client({ name: 'cairn-tests' })
      .onNotification('session/update', ({ params }) => {
        harness!.updates.push(params);
      })
      .onRequest('session/request_permission', async ({ params }) => {
        harness!.permissions.push(params);
        const answer = opts.permission ? await opts.permission(params) : 'allow_once';
        return answer === 'cancelled'
          ? { outcome: { outcome: 'cancelled' } }
          : { outcome: { outcome: 'selected', optionId: answer } };
      })
      .onRequest('fs/read_text_file', async ({ params }) => {
        harness!.reads.push(params);
        if (opts.readTextFile) return { content: await opts.readTextFile(params) };
        return { content: await fsMod.readFile(params.path, 'utf8') };
      })
      .onRequest('fs/write_text_file', async ({ params }) => {
        harness!.writes.push(params);
        if (opts.writeTextFile) await opts.writeTextFile(params);
        else await fsMod.writeFile(params.path, params.content);
        return {};
      });
    const stream = acp.ndJsonStream(
      Writable.toWeb(child.stdin!) as WritableStream<Uint8Array>,
      Readable.toWeb(child.stdout!) as ReadableStream<Uint8Array>,
    );
    const connection = app.connect(stream);
    harness = new AcpHarness(child, connection);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (harness!.stderr += d));
    await harness.request('initialize', {
      protocolVersion: acp.PROTOCOL_VERSION,
      clientCapabilities: opts.clientCapabilities ?? {},
    });
    return harness;
  }

  request<M extends acp.AgentRequestMethod>(method: M, params: acp.AgentRequestParamsByMethod[M]) {
    return this.connection.agent.request(method, params);
  }

  notify<M extends acp.AgentNotificationMethod>(method: M, params: acp.AgentNotificationParamsByMethod[M]) {
    return this.connection.agent.notify(method, params);
  }

  async newSession(cwd: string, extra: Partial<acp.NewSessionRequest> = {}): Promise<acp.NewSessionResponse> {
    return this.request('session/new', { cwd, mcpServers: [], ...extra });
  }

  async prompt(sessionId: string, text: string): Promise<acp.PromptResponse> {
    return this.request('session/prompt', { sessionId, prompt: [{ type: 'text', text }] });
  }

  /** Updates of one kind for a session, in order. */
  updatesOf<K extends acp.SessionUpdate['sessionUpdate']>(sessionId: string, kind: K) {
    return this.updates
      .filter((n) => n.sessionId === sessionId && n.update.sessionUpdate === kind)
      .map((n) => n.update as Extract<acp.SessionUpdate, { sessionUpdate: K }>);
  }

  agentText(sessionId: string): string {
    return this.updatesOf(sessionId, 'agent_message_chunk')
      .map((u) => (u.content.type === 'text' ? u.content.text : ''))
      .join('');
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.stdin!.end();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    this.connection.close();
  }
}
