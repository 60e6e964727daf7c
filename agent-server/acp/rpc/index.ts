/** Cairn's agent side of ACP without the SDK's runtime (see agent-app.ts). */
export { agent, AgentApp, type AgentConnection, type RequestContext } from './agent-app.js';
export type { AgentContext, TerminalHandle } from './context.js';
export type { SendRequestOptions } from './connection.js';
export type { AnyMessage, MessageStream } from './messages.js';
export { RequestError } from './request-error.js';
export { connectInProcess } from './in-process.js';
