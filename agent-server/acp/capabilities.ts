import type * as acp from '@agentclientprotocol/sdk';
import type * as unstable from '@agentclientprotocol/sdk/unstable';
import { CAIRN_VERSION } from '../version.js';

/**
 * The `initialize` answer. Kept free of heavy imports: `cairn acp` answers `initialize`
 * from this module alone while the rest of the agent loads.
 */
export const ACP_PROTOCOL_VERSION = 1;

export const AUTH_METHOD_ID = 'cairn-model-env';

export const AUTH_METHODS: acp.AuthMethod[] = [
  {
    id: AUTH_METHOD_ID,
    name: 'Model endpoint and API key',
    description:
      'Cairn talks to any OpenAI-compatible endpoint. Set OPENAI_API_KEY (or the key variable of your preset), ' +
      'and OPENAI_BASE_URL and CAIRN_MODEL for providers other than OpenAI, in the environment Cairn starts in; ' +
      'or configure "model" in ~/.cairn/config.json.',
  },
];

/**
 * The answer to `logout`. Cairn stores no keys (they come from the environment Cairn starts in,
 * named by the config), so there is nothing to forget, and `auth.logout` is not advertised.
 */
export const LOGOUT_NOTHING_STORED =
  'Cairn stores no API keys: it reads them from the environment it was started in (OPENAI_API_KEY or the ' +
  'variable your config names). To log out, remove that variable where the editor starts Cairn, then restart it.';

export interface InitializeFacts {
  /** What `terminal.backend` is configured to, for agent info. */
  terminalBackend: string;
  mcp: { http: boolean; sse: boolean };
  history: boolean;
}

export function initializeResponse(
  request: acp.InitializeRequest,
  facts: InitializeFacts,
): acp.InitializeResponse {
  // fork and title are in the SDK's unstable schema; both need history.
  const agentCapabilities: unstable.AgentCapabilities = {
    loadSession: facts.history,
    promptCapabilities: { image: true, audio: false, embeddedContext: true },
    mcpCapabilities: facts.mcp,
    sessionCapabilities: {
      close: {},
      additionalDirectories: {},
      ...(facts.history ? { list: {}, resume: {}, delete: {}, fork: {}, title: {} } : {}),
    },
  };
  return {
    protocolVersion: Math.min(request.protocolVersion ?? ACP_PROTOCOL_VERSION, ACP_PROTOCOL_VERSION),
    agentCapabilities,
    authMethods: AUTH_METHODS,
    agentInfo: { name: 'cairn', title: 'Cairn', version: CAIRN_VERSION },
    _meta: { cairn: { terminalBackend: facts.terminalBackend } },
  };
}
