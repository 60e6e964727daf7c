import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { agent, RequestError } from '../../../../agent-server/acp/rpc/index.js';
import { request, wire } from '../../../helpers/acp-wire.js';

// Cairn's agent-side JSON-RPC connection answers as the ACP SDK's does: the same codes,
// messages and data (see @agentclientprotocol/sdk dist/core/jsonrpc.js).

const echoParams = (raw: unknown) => raw;

describe('errors on the wire', () => {
  it('an unknown method is -32601 naming it', async () => {
    const w = wire(agent());
    await w.send(request(1, 'no/such'));
    assert.deepEqual(await w.next(), {
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32601, message: '"Method not found": no/such', data: { method: 'no/such' } },
    });
  });

  it('a thrown Error is -32603 "Internal error" with its message as data (parsed when JSON)', async () => {
    const app = agent()
      .onRequest('_t/plain', echoParams, () => {
        throw new Error('boom');
      })
      .onRequest('_t/json', echoParams, () => {
        throw new Error('{"kind":"x"}');
      })
      .onRequest('_t/empty', echoParams, () => {
        throw new Error('');
      });
    const w = wire(app);
    await w.send(request(1, '_t/plain', {}));
    assert.deepEqual((await w.next()).error, {
      code: -32603,
      message: 'Internal error',
      data: { details: 'boom' },
    });
    await w.send(request(2, '_t/json', {}));
    assert.deepEqual((await w.next()).error, {
      code: -32603,
      message: 'Internal error',
      data: { kind: 'x' },
    });
    await w.send(request(3, '_t/empty', {}));
    assert.deepEqual((await w.next()).error, { code: -32603, message: 'Internal error', data: {} });
  });

  it("RequestError's statics keep the SDK's codes and messages", async () => {
    const cases: [RequestError, number, string, unknown][] = [
      [RequestError.sessionNotFound('s1'), -32002, 'Resource not found', { sessionId: 's1' }],
      [RequestError.resourceNotFound('s2'), -32002, 'Resource not found: s2', { uri: 's2' }],
      [
        RequestError.invalidParams({ field: 'x' }, 'x is bad'),
        -32602,
        'Invalid params: x is bad',
        { field: 'x' },
      ],
      [RequestError.invalidParams(), -32602, 'Invalid params', undefined],
      [RequestError.invalidRequest(undefined, 'no'), -32600, 'Invalid request: no', undefined],
      [
        RequestError.authRequired(undefined, 'set a key'),
        -32000,
        'Authentication required: set a key',
        undefined,
      ],
      [RequestError.internalError({ a: 1 }), -32603, 'Internal error', { a: 1 }],
      [RequestError.requestCancelled(), -32800, 'Request cancelled', undefined],
      [RequestError.methodNotFound('m'), -32601, '"Method not found": m', { method: 'm' }],
      [RequestError.parseError(), -32700, 'Parse error', undefined],
    ];
    for (const [err, code, message, data] of cases) {
      assert.deepEqual([err.code, err.message, err.data], [code, message, data]);
    }
    const w = wire(
      agent().onRequest('_t/custom', echoParams, () => {
        throw new RequestError(-32603, 'The endpoint refused', { kind: 'network' });
      }),
    );
    await w.send(request(1, '_t/custom', {}));
    assert.deepEqual((await w.next()).error, {
      code: -32603,
      message: 'The endpoint refused',
      data: { kind: 'network' },
    });
  });

  it('a zod-like error from deep in a handler is invalid params', async () => {
    const zodLike = Object.assign(new Error('bad'), {
      name: 'ZodError',
      issues: [],
      format: () => ({ _errors: ['bad'] }),
    });
    const w = wire(
      agent().onRequest('_t/z', echoParams, () => {
        throw zodLike;
      }),
    );
    await w.send(request(1, '_t/z', {}));
    assert.deepEqual((await w.next()).error, {
      code: -32602,
      message: 'Invalid params',
      data: { _errors: ['bad'] },
    });
  });

  it('a batch is one -32600 with id null; an unknown notification is ignored', async () => {
    const w = wire(agent().onRequest('_t/ok', echoParams, () => ({ ok: true })));
    await w.send([request(1, '_t/ok', {})]);
    assert.deepEqual(await w.next(), {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Invalid request: JSON-RPC batches are not supported' },
    });
    await w.send({ jsonrpc: '2.0', method: 'no/such', params: {} });
    await w.send(request(2, '_t/ok', {}));
    assert.deepEqual(await w.next(), { jsonrpc: '2.0', id: 2, result: { ok: true } });
  });

  it('an empty answer is {} for methods whose result has no fields, null for the rest', async () => {
    const w = wire(
      agent()
        .onRequest('session/close', () => undefined)
        .onRequest('_t/nothing', echoParams, () => undefined),
    );
    await w.send(request(1, 'session/close', { sessionId: 's' }));
    assert.deepEqual((await w.next()).result, {});
    await w.send(request(2, '_t/nothing', {}));
    assert.equal((await w.next()).result, null);
  });
});

describe('the initialization gate', () => {
  it('with initialize registered plainly, other requests before it are -32600 (as the SDK)', async () => {
    const app = agent()
      .onRequest('initialize', () => ({ protocolVersion: 1 }))
      .onRequest('session/list', () => ({ sessions: [] }));
    const w = wire(app);
    await w.send(request(1, 'session/list', {}));
    assert.deepEqual((await w.next()).error, {
      code: -32600,
      message: "Invalid request: ACP connection must be initialized before 'session/list'",
    });
    await w.send(request(2, 'initialize', { protocolVersion: 1 }));
    assert.deepEqual((await w.next()).result, { protocolVersion: 1 });
    await w.send(request(3, 'session/list', {}));
    assert.deepEqual((await w.next()).result, { sessions: [] });
  });

  it('with a parser of its own (as Cairn registers it), nothing is gated, as in the SDK', async () => {
    const app = agent()
      .onRequest('initialize', echoParams, () => ({ protocolVersion: 1 }))
      .onRequest('session/list', () => ({ sessions: [] }));
    const w = wire(app);
    await w.send(request(1, 'session/list', {}));
    assert.deepEqual((await w.next()).result, { sessions: [] });
  });
});

describe('cancellation and closing', () => {
  it('$/cancel_request aborts the named request; a handler that gives up with an AbortError gets -32800', async () => {
    const app = agent().onRequest('_t/slow', echoParams, ({ signal }) => {
      return new Promise((_, reject) =>
        signal.addEventListener('abort', () =>
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
        ),
      );
    });
    const w = wire(app);
    await w.send(request(7, '_t/slow', {}));
    await w.send({ jsonrpc: '2.0', method: '$/cancel_request', params: { requestId: 7 } });
    assert.deepEqual(await w.next(), {
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32800, message: 'Request cancelled', data: { requestId: 7 } },
    });
  });

  it("the agent's requests to the client are matched by id; an error answer rejects with its code", async () => {
    let asked!: Promise<unknown>;
    const app = agent().onRequest('_t/ask', echoParams, ({ client }) => {
      asked = client.request('_client/x', { q: 1 });
      return {};
    });
    const w = wire(app);
    await w.send(request(1, '_t/ask', {}));
    const outgoing = await w.next();
    assert.equal(outgoing.method, '_client/x');
    assert.deepEqual(outgoing.params, { q: 1 });
    assert.deepEqual((await w.next()).result, {});
    await w.send({
      jsonrpc: '2.0',
      id: outgoing.id,
      error: { code: -32042, message: 'no', data: { why: 1 } },
    });
    await assert.rejects(asked, (err: RequestError) => {
      assert.ok(err instanceof RequestError);
      assert.deepEqual([err.code, err.message, err.data], [-32042, 'no', { why: 1 }]);
      return true;
    });
  });

  it('a request to the client still waiting is rejected when the connection closes, and a late answer is not sent', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let asked!: Promise<unknown>;
    const app = agent().onRequest('_t/ask', echoParams, async ({ client }) => {
      asked = client.request('fs/read_text_file', { sessionId: 's', path: '/x' });
      await held;
      return { late: true };
    });
    const w = wire(app);
    await w.send(request(1, '_t/ask', {}));
    assert.equal((await w.next()).method, 'fs/read_text_file');
    w.agent.close();
    await w.agent.closed;
    await assert.rejects(asked, /ACP connection closed/);
    release();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.equal(w.unread(), 0, 'nothing is answered once the connection closed');
  });

  it('the end of input closes the connection', async () => {
    const w = wire(agent());
    await w.end();
    await w.agent.closed;
    assert.ok(w.agent.signal.aborted);
  });

  it('stopWaitingOnCancel: aborting sends $/cancel_request and rejects at once with -32800', async () => {
    const controller = new AbortController();
    let asked!: Promise<unknown>;
    const app = agent().onRequest('_t/ask', echoParams, ({ client }) => {
      asked = client.request(
        '_client/x',
        {},
        { cancellationSignal: controller.signal, stopWaitingOnCancel: true },
      );
      return {};
    });
    const w = wire(app);
    await w.send(request(1, '_t/ask', {}));
    const outgoing = await w.next();
    await w.next(); // the answer to _t/ask
    controller.abort();
    assert.deepEqual(await w.next(), {
      jsonrpc: '2.0',
      method: '$/cancel_request',
      params: { requestId: outgoing.id },
    });
    await assert.rejects(asked, { code: -32800 });
  });
});
