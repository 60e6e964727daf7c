import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { errorMessage } from '../../../shared/error-message.js';

describe('errorMessage', () => {
  it("is an Error's message, a subclass's included", () => {
    assert.equal(errorMessage(new Error('disk full')), 'disk full');
    assert.equal(errorMessage(new RangeError('too far')), 'too far');
  });

  it('reads the message of an error-like object (a JSON-RPC error)', () => {
    assert.equal(errorMessage({ code: -32601, message: 'Method not found' }), 'Method not found');
  });

  it('is the string form of anything else, never undefined', () => {
    assert.equal(errorMessage('plain text'), 'plain text');
    assert.equal(errorMessage(42), '42');
    assert.equal(errorMessage(undefined), 'undefined');
    assert.equal(errorMessage(null), 'null');
    assert.equal(errorMessage({ message: 7 }), '[object Object]');
  });
});
