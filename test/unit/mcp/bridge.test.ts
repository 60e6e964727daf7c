import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BRIDGE_TOOL_NAMES } from '../../../agent-server/mcp/index.js';
import { estimateToolTokens } from '../../../agent-server/mcp/tool-schema.js';
import { everythingStdio, faultyStdio } from '../../fixtures/mcp/servers.js';
import { findTool, makeContext, makeGate, makeHub, runTool } from './harness.js';

const never = () => new AbortController().signal;

test('schemas within the budget are listed one tool each', async () => {
  const hub = makeHub();
  const session = await hub.openSession({
    fromClient: [],
    fromConfig: { many: faultyStdio('many-tools', 40) },
    contextWindow: 1_000_000,
    maxToolSchemaShare: 0.1,
  });
  try {
    const { tools, notices } = await session.prepare(never());
    assert.equal(tools.length, 40);
    assert.deepEqual(notices, []);
    assert.match(
      session.status().join('\n'),
      /MCP tools: 40 tools, ~[\d.]+k tokens of schemas, within the 10% of the 1000k-token context window budget, listed individually/,
    );
  } finally {
    await hub.closeAll();
  }
});

test('schemas over the budget are reached through search / describe / call, and /status says so', async () => {
  const hub = makeHub();
  const session = await hub.openSession({
    fromClient: [],
    fromConfig: { many: faultyStdio('many-tools', 40), everything: everythingStdio() },
    contextWindow: 32_000,
    maxToolSchemaShare: 0.1,
  });
  try {
    const { tools, notices } = await session.prepare(never());
    assert.deepEqual(
      tools.map((t) => t.name),
      [...BRIDGE_TOOL_NAMES],
    );
    assert.equal(notices.length, 1);
    assert.match(
      notices[0]!,
      /MCP tools: \d+ tools would take ~[\d.]+k tokens, over the 10% of the 32k-token context window budget; the model reaches them through mcp_search_tools/,
    );
    assert.match(
      session.status().join('\n'),
      /over the 10% of the 32k-token context window budget, so reached through mcp_search_tools/,
    );

    const { gate, human } = makeGate('ask');
    const search = await runTool(findTool(tools, 'mcp_search_tools'), { query: 'echo' }, makeContext(gate));
    assert.match(search.forModel.split('\n')[0]!, /^mcp__everything__echo: /);

    const described = await runTool(
      findTool(tools, 'mcp_describe_tool'),
      { name: 'mcp__many__tool_7' },
      makeContext(gate),
    );
    assert.match(described.forModel, /Tool number 7/);
    assert.match(described.forModel, /"widget":\{"type":"string"/);

    const call = findTool(tools, 'mcp_call_tool');
    assert.equal(
      call.describe({ name: 'mcp__many__tool_7', arguments: {} }, undefined as never).title,
      'tool_7 (many)',
    );
    const result = await runTool(
      call,
      { name: 'mcp__many__tool_7', arguments: { widget: 'w1', count: 1, mode: 'fast' } },
      makeContext(gate),
    );
    assert.equal(result.forModel, 'tool_7 did w1');
    assert.equal(human.asked.length, 1, 'a call through the bridge goes through the permission flow');
    assert.equal(human.asked[0]!.ruleKey, 'mcp:many:tool_7');

    await assert.rejects(
      runTool(call, { name: 'mcp__many__nope', arguments: {} }, makeContext(gate)),
      /No MCP tool named "mcp__many__nope".*mcp_search_tools/,
    );
    const second = await session.prepare(never());
    assert.deepEqual(second.notices, [], 'the switch is told once');
  } finally {
    await hub.closeAll();
  }
});

test('the schema token estimate errs high against a real tokenizer, so the budget is never overrun', async () => {
  const { countTokens } = await import('gpt-tokenizer');
  const hub = makeHub();
  const session = await hub.openSession({
    fromClient: [],
    fromConfig: { everything: everythingStdio(), many: faultyStdio('many-tools', 20) },
    maxToolSchemaShare: 1,
  });
  try {
    const { tools } = await session.prepare(never());
    assert.ok(tools.length > 30);
    let estimated = 0;
    let real = 0;
    for (const tool of tools) {
      const schema = tool.jsonSchema ?? {};
      estimated += estimateToolTokens(tool.name, tool.description, schema);
      const spec = {
        type: 'function',
        function: { name: tool.name, description: tool.description, parameters: schema },
      };
      real += countTokens(JSON.stringify(spec));
    }
    assert.ok(estimated >= real, `estimate ${estimated} < real ${real}`);
  } finally {
    await hub.closeAll();
  }
});
