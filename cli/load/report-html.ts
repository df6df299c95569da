// The optional HTML report of `ndxp load`: one self-contained file (inline CSS and SVG, no script, no
// network) with latency over time, throughput, and per-agency outcome bars. Every string is escaped:
// agency labels and kinds come from scenario files and must never become markup.
import { writeFile, rename } from 'node:fs/promises'
import { formatMs } from '../table.js'
import { formatDuration } from './durations.js'
import type { Breakdown, LatencySummary, LoadResult } from './result-types.js'
import { escapeHtml, lineChart, stackedBars, type BarSegment } from './svg-charts.js'
import type { ThresholdOutcome } from './thresholds.js'

const outcomeSegments: readonly BarSegment[] = [
  { name: '2xx', color: '#2e7d32' }, { name: '4xx', color: '#f9a825' }, { name: '429', color: '#ef6c00' },
  { name: '5xx', color: '#c62828' }, { name: 'errors', color: '#6a1b9a' },
]

const style = `body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:900px}
table{border-collapse:collapse;margin:8px 0 20px}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}h1{font-size:20px}h2{font-size:16px;margin-top:28px}.warn{color:#b71c1c}
.pass{color:#2e7d32}.fail{color:#c62828;font-weight:bold}code{background:#f4f4f4;padding:1px 4px}`

function table (headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cell = (tag: string) => (value: string | number): string => `<${tag}>${escapeHtml(String(value))}</${tag}>`
  return `<table><tr>${headers.map(cell('th')).join('')}</tr>${rows.map((row) => `<tr>${row.map(cell('td')).join('')}</tr>`).join('')}</table>`
}

function latencyCells (name: string, l: LatencySummary): Array<string | number> {
  return [name, l.count, formatMs(l.p50), formatMs(l.p90), formatMs(l.p99), formatMs(l.p999), formatMs(l.max)]
}

function breakdownTable (title: string, byName: Readonly<Record<string, Breakdown>>): string {
  const rows = Object.entries(byName).sort(([a], [b]) => a.localeCompare(b)).map(([name, b]) => [
    name, b.sent, b.status['2xx'], b.status['4xx'], b.status['429'], b.status['5xx'], b.errors.total, b.dropped, formatMs(b.latency.p50), formatMs(b.latency.p99),
  ])
  return table([title, 'sent', '2xx', '4xx', '429', '5xx', 'errors', 'dropped', 'p50', 'p99'], rows)
}

export interface HtmlContext {
  readonly askedRate?: number
  readonly thresholds?: readonly ThresholdOutcome[]
}

export function htmlReport (result: LoadResult, context: HtmlContext = {}): string {
  const s = result.settings
  const t = result.totals
  const title = `ndxp load: ${s.scenario?.name ?? 'run'} → ${s.target}`
  const series = result.series
  const agencies = Object.entries(result.byLabel).sort(([a], [b]) => a.localeCompare(b))
  const body: string[] = []
  body.push(`<h1>${escapeHtml(title)}</h1>`)
  body.push(`<p>${escapeHtml(`${result.startedAt} · ${formatDuration(result.durationMs)} measured · ${s.model.kind === 'open' ? `open model (max ${s.model.maxInFlight} in flight)` : `closed model (${s.model.concurrency} clients)`} · ${s.connections} connections · ${s.workers} worker(s)${result.aborted ? ' · stopped early' : ''}`)}</p>`)
  body.push(table(['', 'value'], [
    ['rate asked', context.askedRate === undefined ? '-' : `${context.askedRate.toFixed(1)}/s`],
    ['rate achieved (responses)', `${t.rate.toFixed(1)}/s`],
    ['sent', t.sent], ['answered', t.responses], ['2xx', t.status['2xx']], ['4xx (without 429)', t.status['4xx']], ['429', t.status['429']],
    ['5xx', t.status['5xx']], ['errors without an answer', t.errors.total], ['late sends', t.late], ['dropped sends', t.dropped],
  ]))
  body.push('<h2>Latency</h2>')
  body.push(table(['', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max'], [
    latencyCells('corrected (from due time)', result.corrected), latencyCells('uncorrected (from send)', result.uncorrected),
  ]))
  body.push(lineChart('Latency per second (corrected)', 'ms', [
    { name: 'p50', color: '#1565c0', values: series.map((p) => p.p50) },
    { name: 'p99', color: '#c62828', values: series.map((p) => p.p99) },
  ]))
  body.push(lineChart('Requests per second', '', [
    { name: 'completed', color: '#2e7d32', values: series.map((p) => p.completed) },
    { name: '429', color: '#ef6c00', values: series.map((p) => p.status429) },
    { name: 'failed', color: '#c62828', values: series.map((p) => p.failed) },
  ]))
  body.push('<h2>Agencies</h2>')
  body.push(stackedBars('Outcomes per agency (p99 after each bar)', outcomeSegments, agencies.map(([label, b]) => ({
    label, values: [b.status['2xx'], b.status['4xx'], b.status['429'], b.status['5xx'], b.errors.total], note: `p99 ${formatMs(b.latency.p99)}`,
  }))))
  body.push(breakdownTable('agency', result.byLabel))
  body.push('<h2>Request kinds</h2>')
  body.push(breakdownTable('kind', result.byKind))
  if (result.generator.warnings.length > 0) {
    body.push('<h2>Generator warnings</h2><ul>')
    for (const warning of result.generator.warnings) body.push(`<li class="warn">${escapeHtml(warning)}</li>`)
    body.push('</ul>')
  }
  if (context.thresholds !== undefined && context.thresholds.length > 0) {
    body.push('<h2>Thresholds</h2><ul>')
    for (const o of context.thresholds) body.push(`<li class="${o.passed ? 'pass' : 'fail'}">${escapeHtml(o.message)}</li>`)
    body.push('</ul>')
  }
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title><style>${style}</style></head><body>\n${body.join('\n')}\n</body></html>\n`
}

export async function writeHtmlReport (file: string, html: string): Promise<void> {
  const partial = `${file}.${process.pid}.partial`
  await writeFile(partial, html, 'utf8')
  await rename(partial, file)
}
