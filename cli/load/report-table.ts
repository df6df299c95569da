// The final report of `ndxp load` on stdout: totals, rate achieved against rate asked, latency
// percentiles (corrected from the due time and uncorrected), a table per agency and per kind of
// request, late and dropped sends, what the generator warned about, and the thresholds' verdicts.
import { formatMs, formatTable, terminalSafe, type Cell, type Column } from '../table.js'
import { formatDuration } from './durations.js'
import type { Breakdown, LatencySummary, LoadResult } from './result-types.js'
import type { ThresholdOutcome } from './thresholds.js'

export interface ReportContext {
  /** The average rate the run asked for (requests per second), when it had a schedule. */
  readonly askedRate?: number
  readonly thresholds?: readonly ThresholdOutcome[]
}

const breakdownColumns: readonly Column[] = [
  { title: '', align: 'left' }, { title: 'sent' }, { title: '2xx' }, { title: '4xx' }, { title: '429' }, { title: '5xx' },
  { title: 'errors' }, { title: 'dropped' }, { title: 'p50' }, { title: 'p99' },
]

function breakdownRow (name: string, b: Breakdown): Cell[] {
  return [name, b.sent, b.status['2xx'], b.status['4xx'], b.status['429'], b.status['5xx'], b.errors.total, b.dropped, formatMs(b.latency.p50), formatMs(b.latency.p99)]
}

function breakdownTable (title: string, byName: Readonly<Record<string, Breakdown>>): string {
  const names = Object.keys(byName).sort()
  if (names.length === 0) return ''
  const columns = [{ ...breakdownColumns[0], title } as Column, ...breakdownColumns.slice(1)]
  return formatTable(columns, names.map((name) => breakdownRow(name, byName[name] as Breakdown)), '  ')
}

function latencyRow (name: string, l: LatencySummary): Cell[] {
  return [name, l.count, formatMs(l.p50), formatMs(l.p90), formatMs(l.p99), formatMs(l.p999), formatMs(l.max), formatMs(l.mean)]
}

function modelText (result: LoadResult): string {
  const s = result.settings
  const model = s.model.kind === 'open' ? `open model, at most ${s.model.maxInFlight} in flight` : `closed model, ${s.model.concurrency} concurrent clients`
  return `${model}, ${s.connections} connections, ${s.workers} worker${s.workers === 1 ? '' : 's'}`
}

export function formatReport (result: LoadResult, context: ReportContext = {}): string {
  const t = result.totals
  const s = result.settings
  const lines: string[] = []
  const scenario = s.scenario === undefined ? '' : `${terminalSafe(s.scenario.name)} → `
  lines.push(`ndxp load: ${scenario}${terminalSafe(s.target)} for ${formatDuration(result.durationMs)}${s.warmupMs > 0 ? ` after ${formatDuration(s.warmupMs)} warm-up` : ''} (${modelText(result)})${result.aborted ? ' — STOPPED EARLY' : ''}`)
  lines.push('')
  const asked = context.askedRate ?? s.scenario?.rate
  const achieved = `achieved ${t.rate.toFixed(1)}/s (responses), sent ${t.sendRate.toFixed(1)}/s`
  lines.push(`  rate       ${asked === undefined ? '' : `asked ${asked.toFixed(1)}/s, `}${achieved}${asked !== undefined && asked > 0 ? ` (${Math.round(t.sendRate / asked * 100)}% of asked)` : ''}`)
  lines.push(`  requests   sent ${t.sent}, ended ${t.requests}, answered ${t.responses}; late sends ${t.late}, dropped ${t.dropped}`)
  lines.push(`  answers    2xx ${t.status['2xx']}, 3xx ${t.status['3xx']}, 4xx ${t.status['4xx']}, 429 ${t.status['429']}, 5xx ${t.status['5xx']}${t.status.other > 0 ? `, other ${t.status.other}` : ''}`)
  const e = t.errors
  lines.push(`  errors     ${e.total} without an answer (timeout ${e.timeout}, refused ${e.refused}, reset ${e.reset}, other ${e.other}); failed (errors + 5xx) ${t.failed}`)
  lines.push('')
  lines.push(formatTable([{ title: 'latency', align: 'left' }, { title: 'count' }, { title: 'p50' }, { title: 'p90' }, { title: 'p99' }, { title: 'p99.9' }, { title: 'max' }, { title: 'mean' }], [
    latencyRow('corrected (from due time)', result.corrected),
    latencyRow('uncorrected (from send)', result.uncorrected),
    ...(s.model.kind === 'open' ? [latencyRow('send lag (generator)', result.generator.sendLag)] : []),
  ], '  '))
  for (const [title, table] of [['agency', result.byLabel], ['request kind', result.byKind]] as const) {
    const text = breakdownTable(title, table)
    if (text !== '') lines.push('', text)
  }
  if (result.generator.warnings.length > 0) {
    lines.push('', '  generator warnings (the numbers may measure the load generator, not the target):')
    for (const warning of result.generator.warnings) lines.push(`    ! ${terminalSafe(warning)}`)
  }
  if (context.thresholds !== undefined && context.thresholds.length > 0) {
    const failed = context.thresholds.filter((o) => !o.passed).length
    lines.push('', `  thresholds: ${failed === 0 ? 'all passed' : `${failed} of ${context.thresholds.length} FAILED`}`)
    for (const outcome of context.thresholds) lines.push(`    ${outcome.passed ? 'ok  ' : 'FAIL'} ${terminalSafe(outcome.message)}`)
  }
  return lines.join('\n')
}
