// Durations and rate stages as people type them (`30s`, `1m30s`, `500ms`; `30s:100,1m:500`), shared by
// the `ndxp load` flags and scenario files so both accept exactly the same spellings.
import type { RateStage } from './types.js'

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const DURATION_RE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h)/g
/** A day is far beyond any sensible load test; the cap keeps a typo from scheduling a week. */
export const MAX_DURATION_MS = 24 * 3_600_000
/** Far beyond what one machine can send; the cap catches a misplaced digit. */
export const MAX_RATE = 1_000_000

/** Milliseconds, or undefined when the text is not a duration like `30s`, `2m`, `1m30s`, `500ms`. */
export function durationMs (text: string): number | undefined {
  const trimmed = text.trim()
  if (!DURATION_RE.test(trimmed)) return undefined
  let total = 0
  for (const [, amount, unit] of trimmed.matchAll(PART_RE)) total += Number(amount) * (UNIT_MS[unit as string] as number)
  return Math.round(total)
}

/** Like durationMs, but throws a message naming the setting and the accepted spellings. */
export function parseDuration (text: string, what: string, { allowZero = false } = {}): number {
  // A bare 0 is a duration in any unit: `--warmup 0` means none.
  const ms = text.trim() === '0' ? 0 : durationMs(text)
  if (ms === undefined) throw new RangeError(`${what} must be a duration like 30s, 2m, 1m30s or 500ms; got '${text}'`)
  if (ms === 0 && !allowZero) throw new RangeError(`${what} must be longer than 0; got '${text}'`)
  if (ms > MAX_DURATION_MS) throw new RangeError(`${what} must be at most 24h; got '${text}'`)
  return ms
}

/** A requests-per-second figure: finite, not negative, at most MAX_RATE. */
export function parseRate (text: string, what: string, { allowZero = false } = {}): number {
  // Plain decimal only: Number() would also read '0x10' as 16 and '' as 0.
  const rate = /^\s*\d+(?:\.\d+)?\s*$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isFinite(rate) || rate < 0 || (rate === 0 && !allowZero)) {
    throw new RangeError(`${what} must be a ${allowZero ? 'non-negative' : 'positive'} number of requests per second; got '${text}'`)
  }
  if (rate > MAX_RATE) throw new RangeError(`${what} must be at most ${MAX_RATE} requests per second; got '${text}'`)
  return rate
}

/** `30s:100,1m:500`: ramp to 100/s over 30 s, then to 500/s over a minute (as k6 stages). */
export function parseStages (text: string, what = '--stages'): RateStage[] {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '')
  if (parts.length === 0) throw new RangeError(`${what} must list stages like '30s:100,1m:500' (duration:rate, comma-separated)`)
  if (parts.length > 100) throw new RangeError(`${what} may list at most 100 stages`)
  const stages = parts.map((part, i) => {
    const [duration, rate, extra] = part.split(':')
    if (duration === undefined || rate === undefined || extra !== undefined) {
      throw new RangeError(`${what} stage ${i + 1} ('${part}') must be duration:rate, e.g. 30s:100`)
    }
    return { durationMs: parseDuration(duration, `${what} stage ${i + 1} duration`), targetRate: parseRate(rate, `${what} stage ${i + 1} rate`, { allowZero: true }) }
  })
  if (totalMs(stages) > MAX_DURATION_MS) throw new RangeError(`${what} add up to more than 24h`)
  return stages
}

export function totalMs (stages: readonly RateStage[]): number {
  return stages.reduce((sum, stage) => sum + stage.durationMs, 0)
}

/** Back to the short form, for tables and messages: 90000 → `1m30s`. */
export function formatDuration (ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  const seconds = Math.round(ms / 100) / 10
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  const rest = Math.round(seconds - minutes * 60)
  return rest === 0 ? `${minutes}m` : `${minutes}m${rest}s`
}
