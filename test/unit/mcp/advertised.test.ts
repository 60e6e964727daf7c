import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MCP_ADVERTISED } from '../../../agent-server/acp/advertised.js';
import { MCP_CAPABILITIES } from '../../../agent-server/mcp/index.js';

test('initialize advertises exactly the MCP transports the hub supports', () => {
  assert.deepEqual(MCP_ADVERTISED, MCP_CAPABILITIES);
});
