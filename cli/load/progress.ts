// Live progress of `ndxp load`, once a second: on a terminal one line rewritten in place, elsewhere
// (CI logs, pipes) plain lines. Shows the achieved rate, p50/p99, errors and 429s by agency — the
// latency and per-agency fields when the engine's progress carries them.
import { formatMs, terminalSafe } from '../table.js'
import type { ProgressPoint } from './engine.js'

/** The engine's running counters, plus what a richer progress source may add. */
export interface ProgressSnapshot extends ProgressPoint {
  /** Corrected latency of the responses of the last second, ms. */
  readonly p50?: number | null
  readonly p99?: number | null
  /** Cumulative 429 answers by label (agency). */
  readonly status429ByLabel?: Readonly<Record<string, number>>
}

export interface ProgressOutput {
  write: (text: string) => unknown
  readonly isTTY?: boolean
  readonly columns?: number
}

export interface Progress {
  update: (snapshot: ProgressSnapshot) => void
  /** Ends the live line so the final report starts on a fresh one. */
  done: () => void
}

/** `VN/GOV/000.00.00.H49/DVCTINH` → `H49/DVCTINH`: enough to tell agencies apart on one line. */
export function shortLabel (label: string): string {
  const parts = label.split('/')
  if (parts.length === 4 && /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/.test(parts[2] as string)) return `${(parts[2] as string).slice(-3)}/${parts[3]}`
  return label.length > 24 ? `${label.slice(0, 23)}…` : label
}

export function progressLine (snapshot: ProgressSnapshot, ratePerSecond: number): string {
  const seconds = snapshot.elapsedMs / 1000
  const clock = seconds < 0 ? `warm-up ${Math.ceil(-seconds)}s` : `${Math.floor(seconds)}s`
  const parts = [clock.padStart(5), `${ratePerSecond.toFixed(1)} req/s`, `sent ${snapshot.sent}`]
  if (snapshot.p50 !== undefined || snapshot.p99 !== undefined) parts.push(`p50 ${formatMs(snapshot.p50)}`, `p99 ${formatMs(snapshot.p99)}`)
  parts.push(`errors ${snapshot.failed}`)
  if (snapshot.status429ByLabel !== undefined) {
    const by = Object.entries(snapshot.status429ByLabel).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1])
    const total = by.reduce((sum, [, n]) => sum + n, 0)
    if (total > 0) parts.push(`429s ${total} (${by.slice(0, 3).map(([label, n]) => `${shortLabel(label)} ${n}`).join(', ')}${by.length > 3 ? ', …' : ''})`)
  }
  if (snapshot.dropped > 0) parts.push(`dropped ${snapshot.dropped}`)
  if (snapshot.late > 0) parts.push(`late ${snapshot.late}`)
  parts.push(`in flight ${snapshot.inFlight}`)
  return terminalSafe(parts.join('  '))
}

export function createProgress (output: ProgressOutput): Progress {
  let previous: ProgressSnapshot | undefined
  let live = false
  return {
    update (snapshot) {
      const spanMs = previous === undefined ? Math.max(1, snapshot.elapsedMs) : snapshot.elapsedMs - previous.elapsedMs
      const completed = snapshot.completed - (previous?.completed ?? 0)
      const rate = spanMs > 0 ? completed / (spanMs / 1000) : 0
      previous = snapshot
      const line = progressLine(snapshot, Math.max(0, rate))
      if (output.isTTY === true) {
        const width = Math.max(20, (output.columns ?? 120) - 1)
        output.write(`\r\x1b[2K${line.length > width ? line.slice(0, width) : line}`)
        live = true
      } else {
        output.write(`${line}\n`)
      }
    },
    done () {
      if (live) output.write('\n')
      live = false
    },
  }
}
