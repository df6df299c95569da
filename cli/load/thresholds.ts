// Pass/fail thresholds for CI (`--threshold 'p99<50ms'`): parsed strictly, judged against a LoadResult.
import { LatencyHistogram } from './histogram.js'
import type { LoadResult } from './result-types.js'

export type Comparison = '<' | '<=' | '>' | '>=' | '=='

export type ThresholdMetric =
  | { readonly kind: 'latency', readonly stat: 'percentile', readonly percentile: number }
  | { readonly kind: 'latency', readonly stat: 'max' | 'mean' }
  | { readonly kind: 'errors' | '429s' | 'dropped' | 'late' }
  | { readonly kind: 'rate' }

export interface Threshold {
  /** As written (trimmed). */
  readonly source: string
  readonly metric: ThresholdMetric
  readonly comparison: Comparison
  /** Latency in ms, a percentage (0–100), a count, or requests per second. */
  readonly value: number
  readonly unit: 'ms' | '%' | 'count' | 'req/s'
}

export interface ThresholdOutcome {
  readonly threshold: Threshold
  readonly actual: number
  readonly passed: boolean
  /** E.g. `p99<50ms: 42.1ms (pass)`. */
  readonly message: string
}

const EXAMPLES = 'p99<50ms, p50<=10ms, p999<1s, max<2s, mean<20ms, errors<1%, errors<=5, rate>=990, 429s<10%, dropped==0'

/** One or more malformed thresholds; `problems` has one line per threshold, naming it and what is wrong. */
export class ThresholdError extends Error {
  readonly problems: readonly string[]

  constructor (problems: readonly string[]) {
    super(`${problems.join('\n')}\nThresholds look like: ${EXAMPLES}`)
    this.name = 'ThresholdError'
    this.problems = problems
  }

  static of (source: string, problem: string): ThresholdError {
    return new ThresholdError([printable(`threshold '${source}': ${problem}`)])
  }
}

/** Control characters from hostile input are shown escaped, never written raw to a terminal or log. */
const printable = (text: string): string => text.replace(/[\p{Cc}\p{Cf}]/gu, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)

const MAX_LENGTH = 100
const HOUR_MS = 3_600_000
const UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, μs: 0.001, ms: 1, s: 1000, m: 60_000 }
const SHAPE = /^([a-z0-9.]+)\s*(<=|>=|==|<|>)\s*(.*)$/
const NUMBER = /^(\d+(?:\.\d+)?)\s*(.*)$/
const MAX_DIGITS = 15

function parsePercentile (name: string, source: string): number {
  const digits = name.slice(1)
  let percentile: number
  if (/^\d{1,3}(\.\d{1,4})?$/.test(digits) && digits.includes('.')) percentile = Number(digits)
  else if (/^\d{1,2}$/.test(digits) || digits === '100') percentile = Number(digits)
  // p999 is 99.9, p9999 is 99.99: the usual shorthand.
  else if (/^99\d{1,3}$/.test(digits)) percentile = Number(`99.${digits.slice(2)}`)
  else throw ThresholdError.of(source, `'${name}' is not a percentile: write p50, p99, p99.9 (or p999)`)
  if (!(percentile > 0 && percentile <= 100)) throw ThresholdError.of(source, `the percentile must be above 0 and at most 100, got ${percentile}`)
  return percentile
}

function metricOf (name: string, source: string): ThresholdMetric {
  if (name === 'max' || name === 'mean') return { kind: 'latency', stat: name }
  if (name === 'errors' || name === '429s' || name === 'dropped' || name === 'late') return { kind: name }
  if (name === 'rate') return { kind: 'rate' }
  if (/^p[\d.]+$/.test(name)) return { kind: 'latency', stat: 'percentile', percentile: parsePercentile(name, source) }
  throw ThresholdError.of(source, `unknown metric '${name}': use pNN (latency percentile), max, mean, errors, 429s, dropped, late or rate`)
}

/** Parses one threshold; throws `ThresholdError` saying what is wrong, with examples. */
export function parseThreshold (text: string): Threshold {
  // NFKC folds look-alikes (full-width digits, the micro sign) into the characters the grammar expects.
  const source = text.normalize('NFKC').trim().replace(/≤/g, '<=').replace(/≥/g, '>=')
  const shown = source.length > MAX_LENGTH ? `${source.slice(0, MAX_LENGTH)}…` : source
  if (source === '') throw ThresholdError.of(shown, 'it is empty')
  if (source.length > MAX_LENGTH) throw ThresholdError.of(shown, `it is longer than ${MAX_LENGTH} characters`)
  const shape = SHAPE.exec(source.toLowerCase())
  if (shape === null) {
    const bad = /[^\x20-\x7e]/u.exec(source)
    if (bad !== null) throw ThresholdError.of(shown, `unexpected character '${bad[0]}' (U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')})`)
    if (/^[^<>=]*=[^=]/.test(source)) throw ThresholdError.of(shown, 'compare with <, <=, >, >= or == (a single = is not a comparison)')
    throw ThresholdError.of(shown, 'expected <metric><comparison><value>')
  }
  const [, name = '', comparison = '<', rest = ''] = shape
  const metric = metricOf(name, shown)
  if (rest === '') throw ThresholdError.of(shown, `no value after '${comparison}'`)
  const number = NUMBER.exec(rest)
  if (number === null) throw ThresholdError.of(shown, `'${rest}' is not a number (digits, optionally with a decimal point)`)
  if ((number[1] ?? '').replace('.', '').length > MAX_DIGITS) throw ThresholdError.of(shown, `${number[1]} has more than ${MAX_DIGITS} digits: no measurement is that large or that precise`)
  const value = Number(number[1])
  const unit = (number[2] ?? '').trim()
  const threshold = (v: number, u: Threshold['unit']): Threshold => ({ source, metric, comparison: comparison as Comparison, value: v, unit: u })
  if (metric.kind === 'latency') {
    if (unit === '') throw ThresholdError.of(shown, `a latency needs a unit: ${name}${comparison}${number[1]}ms`)
    const scale = UNIT_MS[unit]
    if (scale === undefined) throw ThresholdError.of(shown, `unknown unit '${unit}' for a latency: use us, ms, s or m`)
    const ms = value * scale
    if (ms > HOUR_MS) throw ThresholdError.of(shown, 'latencies are measured up to 1 hour; a larger bound says nothing')
    return threshold(ms, 'ms')
  }
  if (metric.kind === 'rate') {
    if (unit !== '' && unit !== '/s' && unit !== 'rps' && unit !== 'req/s') throw ThresholdError.of(shown, `rate is in requests per second: write rate>=${number[1]} (or ${number[1]}/s), not '${unit}'`)
    return threshold(value, 'req/s')
  }
  if (unit === '%') {
    if (value > 100) throw ThresholdError.of(shown, `a share cannot exceed 100%, got ${value}%`)
    return threshold(value, '%')
  }
  if (unit !== '') throw ThresholdError.of(shown, `${name} is a count or a share: write ${name}${comparison}${number[1]} or ${name}${comparison}${number[1]}%, not '${unit}'`)
  if (!Number.isInteger(value)) throw ThresholdError.of(shown, `a count is a whole number; for a share add %: ${name}${comparison}${number[1]}%`)
  return threshold(value, 'count')
}

/** Parses every threshold, reporting all the malformed ones at once. */
export function parseThresholds (texts: readonly string[]): Threshold[] {
  const problems: string[] = []
  const parsed: Threshold[] = []
  for (const text of texts) {
    try {
      parsed.push(parseThreshold(text))
    } catch (error) {
      if (!(error instanceof ThresholdError)) throw error
      problems.push(...error.problems)
    }
  }
  if (problems.length > 0) throw new ThresholdError(problems)
  return parsed
}

function compare (actual: number, comparison: Comparison, bound: number): boolean {
  switch (comparison) {
    case '<': return actual < bound
    case '<=': return actual <= bound
    case '>': return actual > bound
    case '>=': return actual >= bound
    case '==': return actual === bound
  }
}

/** The measured figure a threshold is judged on, in the threshold's unit. Latency is the corrected one. */
export function measure (threshold: Threshold, result: LoadResult): number {
  const { metric, unit } = threshold
  const totals = result.totals
  const share = (part: number, whole: number): number => whole === 0 ? 0 : part / whole * 100
  switch (metric.kind) {
    case 'latency': {
      if (metric.stat === 'percentile') return correctedPercentile(result, metric.percentile)
      return metric.stat === 'max' ? result.corrected.max : result.corrected.mean
    }
    case 'rate': return totals.rate
    case 'errors': return unit === '%' ? share(totals.failed, totals.requests) : totals.failed
    case '429s': return unit === '%' ? share(totals.status['429'], totals.responses) : totals.status['429']
    case 'late': return unit === '%' ? share(totals.late, totals.sent) : totals.late
    case 'dropped': return unit === '%' ? share(totals.dropped, totals.sent + totals.dropped) : totals.dropped
  }
}

const PRECOMPUTED: ReadonlyArray<readonly [number, 'p50' | 'p75' | 'p90' | 'p99' | 'p999']> = [[50, 'p50'], [75, 'p75'], [90, 'p90'], [99, 'p99'], [99.9, 'p999']]

function correctedPercentile (result: LoadResult, percentile: number): number {
  const known = PRECOMPUTED.find(([p]) => p === percentile)
  if (known !== undefined) return result.corrected[known[1]]
  if (percentile === 100) return result.corrected.max
  // Any other percentile comes from the histogram the result carries.
  if (result.corrected.count === 0) return 0
  const histogram = LatencyHistogram.decode(result.corrected.histogram)
  const us = histogram.percentileMicros(percentile)
  histogram.destroy()
  return us / 1000
}

function format (value: number, unit: Threshold['unit']): string {
  const rounded = Math.round(value * 1000) / 1000
  if (unit === 'ms') return `${rounded}ms`
  if (unit === '%') return `${rounded}%`
  if (unit === 'req/s') return `${rounded} req/s`
  return String(rounded)
}

/** Judges each threshold on the result. A run with no responses fails latency and rate thresholds rather than passing them vacuously. */
export function evaluateThresholds (thresholds: readonly Threshold[], result: LoadResult): ThresholdOutcome[] {
  return thresholds.map((threshold) => {
    const actual = measure(threshold, result)
    const vacuous = (threshold.metric.kind === 'latency' && result.corrected.count === 0) || result.totals.sent === 0
    const passed = !vacuous && compare(actual, threshold.comparison, threshold.value)
    const note = vacuous ? ' — nothing was measured' : ''
    return { threshold, actual, passed, message: `${threshold.source}: ${format(actual, threshold.unit)} (${passed ? 'pass' : 'FAIL'})${note}` }
  })
}

/** True when every threshold passed (or none was given); the command turns it into its exit code. */
export function thresholdsPassed (outcomes: readonly ThresholdOutcome[]): boolean {
  return outcomes.every((o) => o.passed)
}
