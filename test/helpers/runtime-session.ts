import * as fs from 'node:fs/promises';
import type { ModelClient } from '../../agent-server/core/model-client.js';
import { InMemoryHistoryStore } from '../../agent-server/history/index.js';
import type { PermissionAnswer, PermissionRequest } from '../../agent-server/permissions/gate.js';
import type { ClientBindings } from '../../agent-server/runtime/session-factory.js';
import { SessionHost } from '../../agent-server/runtime/session-host.js';
import { loadRuntimeServices, type RuntimeServices } from '../../agent-server/runtime/services.js';
import { DiskWorkspace } from '../../agent-server/workspace/disk-workspace.js';
import { cleanEnv, tempDir } from './env.js';

export interface RuntimeFixture {
  host: SessionHost;
  services: RuntimeServices;
  history: InMemoryHistoryStore;
  /** Every permission request, in order. */
  asked: PermissionRequest[];
  bindings: (sessionId: string) => ClientBindings;
  cleanup(): Promise<void>;
}

/**
 * Sessions driven through the runtime API alone, as a job or batch runner would: a scripted
 * in-process model, history in memory, files on a temp disk, approvals answered by `answer`.
 * Cairn's home is a temp folder and no API key comes from the machine.
 */
export async function runtimeFixture(opts: {
  model: ModelClient;
  answer?: (request: PermissionRequest) => PermissionAnswer;
  /** The configured endpoint (what `/models` checks reach); default: a closed port. */
  baseUrl?: string;
}): Promise<RuntimeFixture> {
  const home = await tempDir('runtime-home');
  const env = cleanEnv({
    CAIRN_HOME: home,
    OPENAI_BASE_URL: opts.baseUrl ?? 'http://127.0.0.1:9/v1',
    OPENAI_API_KEY: 'sk-test-not-used',
    CAIRN_MODEL: opts.model.modelId,
  });
  const history = new InMemoryHistoryStore();
  const services: RuntimeServices = { ...loadRuntimeServices(env), history, modelClient: () => opts.model };
  const asked: PermissionRequest[] = [];
  const bindings = (): ClientBindings => ({
    prompter: {
      ask: async (request) => {
        asked.push(request);
        return opts.answer?.(request) ?? 'allow_once';
      },
    },
    workspace: (paths) => new DiskWorkspace(paths),
    persistRules: false,
  });
  const host = new SessionHost({ services: () => services, log: () => {} });
  return {
    host,
    services,
    history,
    asked,
    bindings,
    async cleanup() {
      await host.closeAll();
      await services.mcp.closeAll();
      await fs.rm(home, { recursive: true, force: true });
    },
  };
}
