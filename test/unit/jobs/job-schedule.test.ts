import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { nextRunAfter, nextRuns, parseCron, parseEvery } from '../../../agent-server/jobs/job-schedule.js';

describe('job schedules', () => {
  it('parses --every intervals and refuses nonsense or anything under a minute', () => {
    assert.deepEqual(parseEvery('30m'), { kind: 'every', ms: 30 * 60_000, text: '30m' });
    assert.equal((parseEvery('1h30m') as { ms: number }).ms, 90 * 60_000);
    assert.throws(() => parseEvery('30'), /30m, 2h/);
    assert.throws(() => parseEvery('30m please'), /30m, 2h/);
    assert.throws(() => parseEvery('10s'), /shortest interval is 1m/);
  });

  it('checks cron expressions with croner', () => {
    assert.deepEqual(parseCron('0 9 * * 1-5'), { kind: 'cron', expression: '0 9 * * 1-5' });
    assert.throws(() => parseCron('0 25 * * *'), /--cron "0 25 \* \* \*"/);
  });

  it('gives the next run times of an interval anchored at creation', () => {
    const anchor = Date.UTC(2026, 0, 1, 0, 0);
    const every = parseEvery('30m');
    assert.equal(nextRunAfter(every, anchor, anchor), anchor + 30 * 60_000);
    assert.equal(nextRunAfter(every, anchor, anchor + 31 * 60_000), anchor + 60 * 60_000);
    assert.deepEqual(
      nextRuns(every, anchor, anchor, 3),
      [1, 2, 3].map((k) => anchor + k * 30 * 60_000),
    );
  });

  it('gives the next weekday mornings of a cron schedule', () => {
    // Friday 2026-01-02 10:00 UTC: next 09:00 on a weekday is Monday the 5th.
    const runs = nextRuns(parseCron('0 9 * * 1-5'), 0, Date.UTC(2026, 0, 2, 10, 0), 2);
    const local = runs.map((t) => new Date(t));
    assert.equal(local.length, 2);
    for (const d of local) {
      assert.equal(d.getHours(), 9);
      assert.ok(d.getDay() >= 1 && d.getDay() <= 5);
    }
    assert.ok(runs[0]! > Date.UTC(2026, 0, 2, 10, 0));
  });
});
