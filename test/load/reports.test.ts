// The reports of `ndxp load`: the final table, the JSON file, the self-contained HTML (which must escape
// hostile labels from scenario files), and the live progress line on a terminal and in a log.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createProgress, progressLine, shortLabel } from '../../cli/load/progress.js'
import { htmlReport, writeHtmlReport } from '../../cli/load/report-html.js'
import { jsonReport, writeJsonReport } from '../../cli/load/report-json.js'
import { formatReport } from '../../cli/load/report-table.js'
import type { Breakdown, LatencySummary, LoadResult } from '../../cli/load/result-types.js'
import { evaluateThresholds, parseThreshold } from '../../cli/load/thresholds.js'
import { lineChart } from '../../cli/load/svg-charts.js'

const HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
const ESCAPE = 'Hà Nội\u001b[31m red \u202e'

function latency (p50: number): LatencySummary {
  return { count: 10, min: p50 / 2, mean: p50, p50, p75: p50 * 1.2, p90: p50 * 1.5, p99: p50 * 3, p999: p50 * 4, max: p50 * 5, histogram: '' }
}

function breakdown (sent: number, s429 = 0): Breakdown {
  return {
    sent, dropped: 0, late: 0, requests: sent, responses: sent - 1,
    status: { '2xx': sent - 3 - s429, '3xx': 0, '4xx': 2, '429': s429, '5xx': 0, other: 0 },
    errors: { total: 1, timeout: 1, refused: 0, reset: 0, other: 0 }, failed: 1, latency: latency(4),
  }
}

function result (): LoadResult {
  const totals = breakdown(300, 10)
  return {
    startedAt: '2026-03-01T01:00:00.000Z', endedAt: '2026-03-01T01:00:03.100Z', durationMs: 3000, aborted: false,
    settings: { target: 'http://127.0.0.1:8080', model: { kind: 'open', maxInFlight: 100 }, connections: 8, workers: 2, timeoutMs: 10_000, warmupMs: 0, lateToleranceMs: 2, scenario: { kind: 'file', name: `${HOSTILE}.yaml`, seed: 's' } },
    totals: { ...totals, late: 4, dropped: 2, rate: 99.7, sendRate: 100 },
    corrected: latency(5), uncorrected: latency(3),
    byLabel: { 'VN/GOV/000.00.00.H49/DVCTINH': breakdown(200, 10), [HOSTILE]: breakdown(90), [ESCAPE]: breakdown(10) },
    byKind: { 'population.citizen': breakdown(250), [`kind ${HOSTILE}`]: breakdown(50) },
    series: [
      { second: 0, sent: 100, dropped: 0, late: 1, completed: 99, failed: 0, status429: 0, p50: 4, p99: 9 },
      { second: 1, sent: 100, dropped: 2, late: 3, completed: 100, failed: 1, status429: 10, p50: null, p99: null },
      { second: 2, sent: 100, dropped: 0, late: 0, completed: 100, failed: 0, status429: 0, p50: 5, p99: 12 },
    ],
    generator: { threads: [], sendLag: latency(0.5), warnings: [`event loop busy <b>${HOSTILE}</b>`] },
  }
}

const thresholds = (r: LoadResult) => evaluateThresholds([parseThreshold('p99<50ms'), parseThreshold('429s==0')], r)

t.test('the HTML report is self-contained and escapes every hostile string', async (t) => {
  const r = result()
  const html = htmlReport(r, { askedRate: 100, thresholds: thresholds(r) })
  t.notMatch(html, /<script|<img|<b>|<[^>]*onerror/i, 'no markup from labels, kinds, names or warnings')
  t.match(html, '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;')
  t.notMatch(html, /<[^>]*\s(src|href)=/i, 'nothing is fetched: no tag has a src or href')
  t.match(html, /Content-Security-Policy" content="default-src 'none'/)
  t.match(html, /<svg[^>]+aria-label="Latency per second \(corrected\)"/)
  t.match(html, /<svg[^>]+aria-label="Outcomes per agency/)
  t.match(html, '429s==0: 10 (FAIL)')
  t.equal((html.match(/<polyline[^>]+stroke="#c62828"/g) ?? []).length, 1, 'the latency gap (second 1) splits p99 into a dot and no false line')
  const dir = await mkdtemp(join(tmpdir(), 'ndxp-report-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeHtmlReport(join(dir, 'r.html'), html)
  t.equal(await readFile(join(dir, 'r.html'), 'utf8'), html)
})

t.test('line charts leave gaps for seconds without data', async (t) => {
  const svg = lineChart('x', 'ms', [{ name: 'a', color: '#000', values: [1, 2, null, 3, 4, null, 5] }])
  t.equal((svg.match(/<polyline/g) ?? []).length, 2)
  t.equal((svg.match(/<circle/g) ?? []).length, 1, 'an isolated point is a dot')
})

t.test('the final table: rates, both latencies, agencies, late and dropped, warnings, thresholds', async (t) => {
  const r = result()
  const text = formatReport(r, { askedRate: 100, thresholds: thresholds(r) })
  t.match(text, /rate {7}asked 100\.0\/s, achieved 99\.7\/s \(responses\), sent 100\.0\/s \(100% of asked\)/)
  t.match(text, /late sends 4, dropped 2/)
  t.match(text, /corrected \(from due time\)\s+10\s+5\.00ms/)
  t.match(text, /uncorrected \(from send\)\s+10\s+3\.00ms/)
  t.match(text, /VN\/GOV\/000\.00\.00\.H49\/DVCTINH\s+200\s+187\s+2\s+10\s+0\s+1\s+0\s+4\.00ms\s+12\.0ms/)
  t.match(text, /thresholds: 1 of 2 FAILED/)
  t.match(text, /FAIL 429s==0: 10/)
  t.match(text, /! event loop busy/)
  t.notMatch(text, /[^\P{Cc}\n]|\u202e/u, 'control and bidi characters in labels cannot reach the terminal')
  t.match(text, 'Hà Nội?[31m red ?')
})

t.test('the JSON report holds the whole result and the verdicts, written atomically', async (t) => {
  const r = result()
  const dir = await mkdtemp(join(tmpdir(), 'ndxp-report-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'out.json')
  await writeJsonReport(file, jsonReport(r, { askedRate: 100, thresholds: thresholds(r) }))
  const back = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
  t.match(back, { reportVersion: 1, askedRate: 100, totals: r.totals, byLabel: r.byLabel, series: r.series })
  t.match(back.thresholds, [{ threshold: 'p99<50ms', passed: true }, { threshold: '429s==0', actual: 10, passed: false }])
})

t.test('progress: one line rewritten on a terminal, plain lines in a log, 429s by agency', async (t) => {
  t.equal(shortLabel('VN/GOV/000.00.00.H49/DVCTINH'), 'H49/DVCTINH')
  const point = { elapsedMs: 2000, sent: 200, completed: 190, failed: 3, dropped: 0, late: 0, inFlight: 10 }
  const line = progressLine({ ...point, p50: 3.2, p99: 40, status429ByLabel: { 'VN/GOV/000.00.00.H49/DVCTINH': 5, 'VN/GOV/000.00.00.H41/DVCTINH': 7 } }, 95)
  t.match(line, /2s {2}95\.0 req\/s {2}sent 200 {2}p50 3\.20ms {2}p99 40\.0ms {2}errors 3 {2}429s 12 \(H41\/DVCTINH 7, H49\/DVCTINH 5\) {2}in flight 10/)
  const tty: string[] = []
  const terminal = createProgress({ write: (s) => tty.push(s), isTTY: true, columns: 60 })
  terminal.update({ ...point, elapsedMs: 1000, completed: 100 })
  terminal.update(point)
  terminal.done()
  const clearLine = '\r\u001b[2K'
  t.ok(tty.slice(0, 2).every((line) => line.startsWith(clearLine)), 'each update rewrites the line')
  t.match(tty[0]?.slice(clearLine.length), /^ {3}1s {2}100\.0 req\/s/)
  t.match(tty[1]?.slice(clearLine.length), /^ {3}2s {2}90\.0 req\/s/, 'the rate is the last second\'s')
  t.ok((tty[1] as string).length <= 59 + 5, 'cut to the terminal width')
  t.equal(tty[2], '\n')
  const log: string[] = []
  const plain = createProgress({ write: (s) => log.push(s) })
  plain.update({ ...point, elapsedMs: -1500 })
  plain.done()
  t.match(log, [/^warm-up 2s .*\n$/])
})
