import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { progressLine } from '../../../agent-server/cli/batch-command.js';

describe('batch progress line', () => {
  it('counts done, failed, running and skipped, with an ETA from the mean task time', () => {
    assert.equal(
      progressLine({ total: 20, done: 3, failed: 1, running: 4, skipped: 0 }, 40_000),
      '4/20 done (1 failed), 4 running, ETA 2m 40s',
    );
    assert.equal(
      progressLine({ total: 3, done: 0, failed: 0, running: 2, skipped: 1 }, 5_000),
      '0/2 done (0 failed), 2 running, 1 skipped',
    );
  });
});
