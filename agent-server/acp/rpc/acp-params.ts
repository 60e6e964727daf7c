import type * as acp from '@agentclientprotocol/sdk';
import {
  type Json,
  array,
  arrayOrNull,
  boolean,
  fail,
  integer,
  isObject,
  isString,
  object,
  optionalObject,
  optionalString,
  string,
  strings,
  withMeta,
  withoutMalformed,
} from './checks.js';
import { paramsParser } from './params.js';

/**
 * The params of each ACP method Cairn serves, checked as far as Cairn reads them (the rest,
 * `_meta` included, passes through) and normalised as the SDK's schema does where Cairn relies
 * on it: a null list is empty, a malformed optional field or `_meta` is dropped.
 */

const P = 'params';

function sessionScoped(raw: unknown): Json {
  const o = withMeta(object(raw, P));
  string(o.sessionId, `${P}.sessionId`);
  return o;
}

function envVariables(value: unknown, at: string): void {
  array(value, at).forEach((item, i) => {
    const v = object(item, `${at}[${i}]`);
    string(v.name, `${at}[${i}].name`);
    string(v.value, `${at}[${i}].value`);
  });
}

/** One MCP server: http and sse by `url` (with headers), anything else by `command` (stdio). */
function mcpServer(item: unknown, at: string): Json {
  let s = object(item, at);
  string(s.name, `${at}.name`);
  if (s.type === 'http' || s.type === 'sse') {
    string(s.url, `${at}.url`);
    s = arrayOrNull(s, 'headers', at, true);
    envVariables(s.headers, `${at}.headers`);
  } else {
    string(s.command, `${at}.command`);
    s = arrayOrNull(arrayOrNull(s, 'args', at, true), 'env', at, true);
    strings(s.args, `${at}.args`);
    envVariables(s.env, `${at}.env`);
  }
  return s;
}

/** cwd, additionalDirectories and mcpServers, as session/new, load and resume share them. */
function sessionSetup(o: Json, mcpRequired: boolean): Json {
  string(o.cwd, `${P}.cwd`);
  o = arrayOrNull(o, 'additionalDirectories', P, false);
  if (o.additionalDirectories !== undefined) strings(o.additionalDirectories, `${P}.additionalDirectories`);
  o = arrayOrNull(o, 'mcpServers', P, mcpRequired);
  if (o.mcpServers !== undefined) {
    const servers = (o.mcpServers as unknown[]).map((s, i) => mcpServer(s, `${P}.mcpServers[${i}]`));
    o = { ...o, mcpServers: servers };
  }
  return o;
}

const CONTENT_TYPES = ['text', 'image', 'audio', 'resource_link', 'resource'];

function contentBlock(item: unknown, at: string): Json {
  const b = withoutMalformed(withMeta(object(item, at)), { annotations: isObject });
  switch (b.type) {
    case 'text':
      string(b.text, `${at}.text`);
      return b;
    case 'image':
    case 'audio':
      string(b.data, `${at}.data`);
      string(b.mimeType, `${at}.mimeType`);
      return b.type === 'image' ? withoutMalformed(b, { uri: isString }) : b;
    case 'resource_link':
      string(b.name, `${at}.name`);
      string(b.uri, `${at}.uri`);
      return withoutMalformed(b, {
        mimeType: isString,
        title: isString,
        description: isString,
        size: Number.isInteger,
      });
    case 'resource': {
      const r = withMeta(object(b.resource, `${at}.resource`));
      string(r.uri, `${at}.resource.uri`);
      if (typeof r.text !== 'string' && typeof r.blob !== 'string')
        fail(`${at}.resource`, 'a resource with a string "text" or "blob"', r.text ?? r.blob);
      return { ...b, resource: withoutMalformed(r, { mimeType: isString }) };
    }
    default:
      return fail(`${at}.type`, `one of ${CONTENT_TYPES.join(', ')}`, b.type);
  }
}

export const initializeParams = paramsParser<acp.InitializeRequest & { clientCapabilities?: unknown }>(
  (raw) => {
    const o = object(raw, P);
    integer(o.protocolVersion, `${P}.protocolVersion`, 0);
    optionalObject(o.clientCapabilities, `${P}.clientCapabilities`);
    return o;
  },
);

export const authenticateParams = paramsParser<acp.AuthenticateRequest>((raw) => {
  const o = withMeta(object(raw, P));
  string(o.methodId, `${P}.methodId`);
  return o;
});

export const metaOnlyParams = paramsParser<{ _meta?: Record<string, unknown> | null }>((raw) =>
  withMeta(object(raw, P)),
);

export const newSessionParams = paramsParser<acp.NewSessionRequest>((raw) =>
  sessionSetup(withMeta(object(raw, P)), true),
);

export const loadSessionParams = paramsParser<acp.LoadSessionRequest>((raw) =>
  sessionSetup(sessionScoped(raw), true),
);

export const resumeSessionParams = paramsParser<acp.ResumeSessionRequest>((raw) =>
  sessionSetup(sessionScoped(raw), false),
);

export const listSessionsParams = paramsParser<acp.ListSessionsRequest>((raw) => {
  const o = withMeta(object(raw, P));
  optionalString(o.cwd, `${P}.cwd`);
  optionalString(o.cursor, `${P}.cursor`);
  return o;
});

/** session/close, session/delete and session/cancel: a session id and nothing else read. */
export const sessionIdParams = paramsParser<{ sessionId: string; _meta?: Record<string, unknown> | null }>(
  sessionScoped,
);

export const setModeParams = paramsParser<acp.SetSessionModeRequest>((raw) => {
  const o = sessionScoped(raw);
  string(o.modeId, `${P}.modeId`);
  return o;
});

export const setConfigOptionParams = paramsParser<acp.SetSessionConfigOptionRequest>((raw) => {
  const o = sessionScoped(raw);
  string(o.configId, `${P}.configId`);
  if (o.type === 'boolean') boolean(o.value, `${P}.value`);
  else string(o.value, `${P}.value`);
  return o;
});

export const promptParams = paramsParser<acp.PromptRequest>((raw) => {
  const o = sessionScoped(raw);
  const prompt = array(o.prompt, `${P}.prompt`).map((b, i) => contentBlock(b, `${P}.prompt[${i}]`));
  return { ...o, prompt };
});

/** The parser of each ACP method an agent app serves without one of its own. */
export const ACP_PARAMS: Record<string, (raw: unknown) => unknown> = {
  initialize: initializeParams,
  authenticate: authenticateParams,
  logout: metaOnlyParams,
  'session/new': newSessionParams,
  'session/load': loadSessionParams,
  'session/list': listSessionsParams,
  'session/resume': resumeSessionParams,
  'session/close': sessionIdParams,
  'session/delete': sessionIdParams,
  'session/set_mode': setModeParams,
  'session/set_config_option': setConfigOptionParams,
  'session/prompt': promptParams,
  'session/cancel': sessionIdParams,
};

/** Methods whose empty answer is `{}` rather than `null` (the SDK's emptyObjectResponse). */
export const EMPTY_OBJECT_ANSWER = new Set([
  'authenticate',
  'logout',
  'session/load',
  'session/delete',
  'session/close',
  'session/set_mode',
]);
