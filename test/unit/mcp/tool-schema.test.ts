import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sanitiseToolSchema } from '../../../agent-server/mcp/tool-schema.js';

test('drops $schema and keeps an ordinary object schema as it is', () => {
  const input = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { message: { type: 'string', description: 'what to say' } },
    required: ['message'],
    additionalProperties: false,
  };
  assert.deepEqual(sanitiseToolSchema(input), {
    type: 'object',
    properties: { message: { type: 'string', description: 'what to say' } },
    required: ['message'],
    additionalProperties: false,
  });
});

test('a missing or non-object schema becomes an empty object schema', () => {
  assert.deepEqual(sanitiseToolSchema(undefined), { type: 'object', properties: {} });
  assert.deepEqual(sanitiseToolSchema({ type: 'object' }), { type: 'object', properties: {} });
  assert.deepEqual(sanitiseToolSchema({ type: 'string' }), { type: 'object', properties: {} });
});

test('local $refs are inlined and $defs removed; recursion is cut off', () => {
  const input = {
    type: 'object',
    $defs: {
      point: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } },
      node: { type: 'object', properties: { child: { $ref: '#/$defs/node' } } },
    },
    properties: { at: { $ref: '#/$defs/point', description: 'where' }, tree: { $ref: '#/$defs/node' } },
  };
  const out = sanitiseToolSchema(input);
  assert.equal('$defs' in out, false);
  assert.deepEqual((out.properties as Record<string, unknown>).at, {
    type: 'object',
    properties: { x: { type: 'number' }, y: { type: 'number' } },
    description: 'where',
  });
  assert.doesNotMatch(JSON.stringify(out), /\$ref/);
});

test('arrays get items, oneOf becomes anyOf, required names must exist, boolean schemas become objects', () => {
  const out = sanitiseToolSchema({
    type: 'object',
    properties: {
      list: { type: 'array' },
      tuple: { type: 'array', items: [{ type: 'string' }, { type: 'number' }] },
      choice: { oneOf: [{ type: 'string' }, { type: 'number' }] },
      anything: true,
    },
    required: ['list', 'ghost'],
  });
  const props = out.properties as Record<string, Record<string, unknown>>;
  assert.deepEqual(props.list, { type: 'array', items: {} });
  assert.deepEqual(props.tuple, {
    type: 'array',
    items: { anyOf: [{ type: 'string' }, { type: 'number' }] },
  });
  assert.deepEqual(props.choice, { anyOf: [{ type: 'string' }, { type: 'number' }] });
  assert.deepEqual(props.anything, {});
  assert.deepEqual(out.required, ['list']);
});
