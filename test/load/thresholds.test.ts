// Thresholds: strict parsing with messages that say what is wrong, and judgement against a result.
import t from 'tap'
import { LatencyHistogram } from '../../cli/load/histogram.js'
import type { LoadResult } from '../../cli/load/result-types.js'
import { evaluateThresholds, parseThreshold, parseThresholds, ThresholdError, thresholdsPassed } from '../../cli/load/thresholds.js'

t.test('well-formed thresholds', async (t) => {
  t.match(parseThreshold('p99<50ms'), { metric: { kind: 'latency', stat: 'percentile', percentile: 99 }, comparison: '<', value: 50, unit: 'ms' })
  t.match(parseThreshold('p50<=10ms'), { metric: { percentile: 50 }, comparison: '<=', value: 10 })
  t.match(parseThreshold('p999<1s'), { metric: { percentile: 99.9 }, value: 1_000, unit: 'ms' })
  t.match(parseThreshold('p99.99 < 2.5s'), { metric: { percentile: 99.99 }, value: 2_500 })
  t.match(parseThreshold('p100<3m'), { metric: { percentile: 100 }, value: 180_000 })
  t.match(parseThreshold('max<2s'), { metric: { kind: 'latency', stat: 'max' }, value: 2_000 })
  t.match(parseThreshold('mean<20ms'), { metric: { stat: 'mean' }, value: 20 })
  t.match(parseThreshold('p90<500us'), { value: 0.5 })
  t.match(parseThreshold('p90<500µs'), { value: 0.5 }, 'the micro sign')
  t.match(parseThreshold('p90<500μs'), { value: 0.5 }, 'the Greek mu')
  t.match(parseThreshold('errors<1%'), { metric: { kind: 'errors' }, value: 1, unit: '%' })
  t.match(parseThreshold('errors<=5'), { metric: { kind: 'errors' }, comparison: '<=', value: 5, unit: 'count' })
  t.match(parseThreshold('rate>=990'), { metric: { kind: 'rate' }, comparison: '>=', value: 990, unit: 'req/s' })
  t.match(parseThreshold('rate>=990/s'), { unit: 'req/s' })
  t.match(parseThreshold('429s<10%'), { metric: { kind: '429s' }, value: 10, unit: '%' })
  t.match(parseThreshold('dropped==0'), { metric: { kind: 'dropped' }, comparison: '==', value: 0, unit: 'count' })
  t.match(parseThreshold('  LATE < 2 % '), { metric: { kind: 'late' }, value: 2, unit: '%' }, 'spaces and case are forgiven')
  t.match(parseThreshold('p99≤50ms'), { comparison: '<=' }, '≤ reads as <=')
  t.match(parseThreshold('ｐ９９＜５０ｍｓ'), { metric: { percentile: 99 }, value: 50 }, 'full-width forms fold to ASCII')
})

t.test('malformed thresholds are refused with what is wrong and an example', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty/],
    ['   ', /empty/],
    ['p99<', /no value after '<'/],
    ['p99', /expected <metric><comparison><value>/],
    ['p101<5ms', /'p101' is not a percentile/],
    ['p0<5ms', /above 0/],
    ['p99<50', /needs a unit: p99<50ms/],
    ['p99<50%', /unknown unit '%'/],
    ['p99<50 parsecs', /unknown unit/],
    ['errors<abc', /'abc' is not a number/],
    ['errors<-1', /'-1' is not a number/],
    ['errors<1e3', /unknown|count or a share/],
    ['errors<1.5', /whole number/],
    ['errors<101%', /cannot exceed 100%/],
    ['errors<5ms', /count or a share/],
    ['rate>=990ms', /requests per second/],
    ['p99<99999999999999999999ms', /more than 15 digits/],
    ['errors<0.0000000000000001%', /more than 15 digits/],
    ['p99<999999999ms', /up to 1 hour/],
    ['p99=50ms', /single = is not a comparison/],
    ['latency<50ms', /unknown metric 'latency'/],
    ['p99<50ms; rm -rf /', /unknown unit/],
    ['p99<50ms\u0000', /unknown unit/],
    ['p99 < 50 ms 🚀', /unexpected character '🚀'|unknown unit/],
    ['🚀', /unexpected character '🚀' \(U\+1F680\)/],
    ['x'.repeat(5_000), /longer than 100 characters/],
  ]
  for (const [text, pattern] of cases) {
    const error = (() => { try { parseThreshold(text) } catch (e) { return e } })()
    t.ok(error instanceof ThresholdError, `${JSON.stringify(text.slice(0, 30))} is refused`)
    t.match((error as Error).message, pattern, `${JSON.stringify(text.slice(0, 30))}: ${(error as Error).message.split('\n')[0]}`)
    t.match((error as Error).message, /Thresholds look like: p99<50ms/, 'with examples')
    t.notOk([...(error as Error).message].some((c) => c !== '\n' && /\p{Cc}/u.test(c)), 'control characters of the input are escaped, never echoed raw')
  }
  t.ok(((() => { try { parseThreshold('x'.repeat(5_000)) } catch (e) { return (e as Error).message } })() ?? '').length < 600, 'a huge input is not echoed whole')
})

t.test('parseThresholds reports every bad one at once', async (t) => {
  t.equal(parseThresholds(['p99<50ms', 'errors<1%']).length, 2)
  t.same(parseThresholds([]), [])
  const error = (() => { try { parseThresholds(['p99<50ms', 'p99<', 'errors<abc']) } catch (e) { return e as ThresholdError } })()
  t.equal(error?.problems.length, 2)
  t.match(error?.problems[0], /'p99<'/)
  t.match(error?.problems[1], /'errors<abc'/)
})

function result (overrides: { p99?: number, responses?: number, failed?: number, requests?: number, s429?: number, dropped?: number, sent?: number, rate?: number, count?: number } = {}): LoadResult {
  const histogram = LatencyHistogram.create()
  for (let i = 1; i <= 1000; i++) histogram.recordMillis(i / 10)
  const encoded = histogram.encode()
  histogram.destroy()
  const corrected = { count: overrides.count ?? 1000, min: 0.1, mean: 50, p50: 50, p75: 75, p90: 90, p99: overrides.p99 ?? 99, p999: 100, max: 100, histogram: encoded }
  const zeroStatus = { '2xx': 0, '3xx': 0, '4xx': 0, '429': overrides.s429 ?? 0, '5xx': 0, other: 0 }
  const totals = {
    sent: overrides.sent ?? 1000, dropped: overrides.dropped ?? 0, late: 0, requests: overrides.requests ?? 1000, responses: overrides.responses ?? 1000,
    status: zeroStatus, errors: { total: 0, timeout: 0, refused: 0, reset: 0, other: 0 }, failed: overrides.failed ?? 0, rate: overrides.rate ?? 1000, sendRate: 1000,
  }
  return {
    startedAt: '', endedAt: '', durationMs: 1000, aborted: false,
    settings: { target: '', model: { kind: 'open', maxInFlight: 1 }, connections: 1, workers: 1, timeoutMs: 1, warmupMs: 0, lateToleranceMs: 2 },
    totals, corrected, uncorrected: corrected, byLabel: {}, byKind: {}, series: [],
    generator: { threads: [], sendLag: corrected, warnings: [] },
  }
}

t.test('thresholds are judged on corrected latency and the totals', async (t) => {
  const judge = (texts: string[], r: LoadResult) => evaluateThresholds(parseThresholds(texts), r)
  const passing = judge(['p99<100ms', 'p50<=50ms', 'max<=100ms', 'mean<51ms', 'errors<1%', 'errors<=5', 'rate>=990', '429s<10%', 'dropped==0', 'p95<96ms'], result({ failed: 5 }))
  t.ok(passing.every((o) => o.passed), passing.filter((o) => !o.passed).map((o) => o.message).join('; '))
  t.equal(thresholdsPassed(passing), true)
  t.equal(thresholdsPassed([]), true, 'no thresholds, nothing to fail')
  const p95 = passing.find((o) => o.threshold.source === 'p95<96ms')
  t.ok(p95 !== undefined && p95.actual > 94 && p95.actual < 96, 'other percentiles come from the histogram')

  const failing = judge(['p99<50ms', 'errors<1%', 'rate>=990', '429s<10%', 'dropped==0'], result({ p99: 120, failed: 20, rate: 800, s429: 200, responses: 1000, dropped: 3 }))
  t.same(failing.map((o) => o.passed), [false, false, false, false, false])
  t.equal(failing[0]?.message, 'p99<50ms: 120ms (FAIL)')
  t.equal(failing[1]?.actual, 2, 'errors as a share of requests')
  t.equal(failing[3]?.actual, 20, '429s as a share of responses')
  t.equal(thresholdsPassed(failing), false)
})

t.test('a run that measured nothing fails its thresholds instead of passing them vacuously', async (t) => {
  const empty = result({ count: 0, sent: 0, responses: 0, requests: 0, rate: 0 })
  const outcomes = evaluateThresholds(parseThresholds(['p99<50ms', 'errors<1%']), empty)
  t.same(outcomes.map((o) => o.passed), [false, false])
  t.match(outcomes[0]?.message, /nothing was measured/)
})
