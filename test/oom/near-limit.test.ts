import t from 'tap'
import { FAST_SAMPLING, isCalm, isNearLimit, type LimitReading } from '../../agent/oom/near-limit.js'

const r = (usageBytes?: number, limitBytes?: number, limitHits?: number, oomKills?: number): LimitReading => ({
  memory: { usageBytes, limitBytes },
  events: { limitHits, oomKills },
})

t.test('isNearLimit', async (t) => {
  t.equal(FAST_SAMPLING.enterUsageShare, 0.8)
  t.ok(isNearLimit(r(80, 100)), 'exactly 80%')
  t.notOk(isNearLimit(r(79.99, 100)), 'just below')
  t.notOk(isNearLimit(r(500)), 'no limit: never near it')
  t.notOk(isNearLimit(r(undefined, 100)), 'no usage')
  t.notOk(isNearLimit(r(1, 0)), 'a zero limit is not a share')
  t.ok(isNearLimit(r(10, 100, 6), r(10, 100, 5)), 'the limit was hit since the last sample')
  t.ok(isNearLimit(r(10, 100, 0, 1), r(10, 100, 0, 0)), 'a kill')
  t.ok(isNearLimit(r(10, 100, 0), r(10, 100, 900)), 'a counter reset: a new cgroup')
  t.notOk(isNearLimit(r(10, 100, 5, 0), r(10, 100, 5, 0)), 'quiet')
  t.notOk(isNearLimit(r(10, 100, 5), r(10, 100)), 'a counter not read before is not a move')
  t.notOk(isNearLimit(r(10, 100, 5)), 'no previous sample')
})

t.test('isCalm: hysteresis', async (t) => {
  t.equal(FAST_SAMPLING.leaveUsageShare, 0.7)
  t.notOk(isCalm(r(75, 100, 1), r(75, 100, 1)), 'between the thresholds: stay fast')
  t.notOk(isCalm(r(70, 100, 1), r(70, 100, 1)), 'exactly 70%')
  t.ok(isCalm(r(69.99, 100, 1), r(69.99, 100, 1)), 'below 70%, counters still')
  t.notOk(isCalm(r(10, 100, 2), r(10, 100, 1)), 'the limit was hit')
  t.notOk(isCalm(r(10, 100, 0, 2), r(10, 100, 0, 1)), 'a kill')
  t.ok(isCalm(r(500, undefined), r(400, undefined)), 'no limit')
})
