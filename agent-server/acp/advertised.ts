/**
 * What Cairn advertises in `initialize` for features that live outside the ACP adapter.
 * Kept here, free of imports, so the fast `initialize` path needs nothing else.
 * Each is pinned by a test against the feature itself.
 */
export const MCP_ADVERTISED = { http: true, sse: true };
export const HISTORY_ADVERTISED = true;
