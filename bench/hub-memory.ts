// The hub's memory under sustained load: every feature on (authentication, grant, rate limit,
// transaction log, metrics), 64 connections at saturation for ten minutes, the hub alone on core 0.
// Reads resident memory (from /proc) every second under load, and V8's heap in use and the log
// writer's queue (from /metrics) after each slice; the baseline is the hub's own second minute, in
// the same run. RSS swings by a hundred MiB between collections at this rate: one reading per slice
// could land on a peak or a trough, so minutes are compared by the median, and by the lowest reading
// (what is left after a collection), of about sixty readings each.
// Usage: npm run build && taskset -c 1 node dist/bench/hub-memory.js [--minutes 10] [--slice-seconds 30]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { request } from 'undici'
import { BENCH_CLIENT, benchServicePath, registerBenchAgency } from './lib/bench-agency.js'
import { closedLoop } from './lib/closed-loop.js'
import { distRoot, median, rssMiB, startPinned, type BenchServer } from './lib/processes.js'

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, 'slice-seconds': { type: 'string', default: '30' } } })
const minutes = Number(values.minutes)
const sliceSeconds = Number(values['slice-seconds'])
const adminToken = 'bench-admin-token'
const dataDir = mkdtempSync(join(tmpdir(), 'ndxp-hub-memory-'))
const paths = Array.from({ length: 1000 }, (_, i) => benchServicePath(`/bench/${i}`))

interface Sample { at: number, rss: number }

async function scrape (hubUrl: string): Promise<{ heapMiB: number, pending: number }> {
  const response = await request(`${hubUrl}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } })
  const text = await response.body.text()
  const value = (name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)`, 'm').exec(text)?.[1] ?? Number.NaN)
  return { heapMiB: value('nodejs_heap_size_used_bytes') / 2 ** 20, pending: value('ndxp_transaction_writer_pending') }
}

const servers: BenchServer[] = []
try {
  const upstream = await startPinned(join(distRoot, 'bench/lib/upstream-server.js'), [], {}, 1)
  servers.push(upstream)
  const hub = await startPinned(join(distRoot, 'cli/ndxp.js'), ['gateway', '--port', '0'], { NDXP_DATA_DIR: dataDir, NDXP_ADMIN_TOKEN: adminToken, NDXP_LOG_LEVEL: 'warn', NDXP_HUB_URL: '' }, 0)
  servers.push(hub)
  const pid = hub.child.pid as number
  const headers = { authorization: `Bearer ${await registerBenchAgency(hub.url, adminToken, upstream.url)}`, 'x-road-client': BENCH_CLIENT }
  console.log(`hub alone on core 0, 64 connections, 1 KB answers, ${minutes} min in slices of ${sliceSeconds} s; RSS read every second`)
  console.log('minute   exchanges   req/s   RSS MiB median (low–high)   heap used MiB   log queue   non-200')
  const samples: Sample[] = []
  let exchanges = 0
  let heapMiB = 0
  const began = performance.now()
  const minutesNow = (): number => (performance.now() - began) / 60_000
  const reader = setInterval(() => {
    try {
      samples.push({ at: minutesNow(), rss: rssMiB(pid) })
    } catch {
      // The hub has exited: the slice under way fails and ends the run; a reading must not crash it first.
    }
  }, 1000)
  try {
    for (let elapsed = 0; elapsed < minutes * 60; elapsed += sliceSeconds) {
      const from = samples.length
      const slice = await closedLoop(hub.url, paths, { seconds: sliceSeconds, headers })
      exchanges += slice.requests
      const scraped = await scrape(hub.url)
      heapMiB = scraped.heapMiB
      const readings = samples.slice(from).map((s) => s.rss)
      const failed = Object.entries(slice.statusCounts).filter(([status]) => status !== '200').reduce((sum, [, n]) => sum + n, 0)
      const rss = readings.length === 0 ? '—' : `${median(readings).toFixed(1)} (${Math.min(...readings).toFixed(0)}–${Math.max(...readings).toFixed(0)})`
      console.log(`${minutesNow().toFixed(1).padStart(6)} ${String(exchanges).padStart(11)} ${Math.round(slice.requests / slice.seconds).toString().padStart(7)} ${rss.padStart(27)} ${heapMiB.toFixed(1).padStart(15)} ${String(scraped.pending).padStart(11)} ${String(failed).padStart(9)}`)
    }
  } finally {
    clearInterval(reader)
  }
  // The first minute is the JIT's and the page cache's: the second is the baseline.
  if (samples.length === 0) throw new Error('no RSS reading was taken: run for longer (--minutes)')
  const end = (samples[samples.length - 1] as Sample).at
  const inSecond = samples.filter((s) => s.at >= 1 && s.at < 2).map((s) => s.rss)
  const second = inSecond.length > 0 ? inSecond : samples.map((s) => s.rss)
  const last = samples.filter((s) => s.at >= end - 1).map((s) => s.rss)
  const later = samples.some((s) => s.at >= 1) ? samples.filter((s) => s.at >= 1) : samples
  // Least-squares slope of RSS over the minutes after the first: a leak shows as a steady climb.
  const meanT = later.reduce((sum, s) => sum + s.at, 0) / later.length
  const meanR = later.reduce((sum, s) => sum + s.rss, 0) / later.length
  const slope = later.reduce((sum, s) => sum + (s.at - meanT) * (s.rss - meanR), 0) / later.reduce((sum, s) => sum + (s.at - meanT) ** 2, 0)
  const ratio = (a: number, b: number): string => `×${(a / b).toFixed(3)}`
  console.log(`\nRSS over the second minute (baseline) against the last, ${second.length} and ${last.length} readings:`)
  console.log(`  median ${median(second).toFixed(1)} → ${median(last).toFixed(1)} MiB: ${ratio(median(last), median(second))}`)
  console.log(`  lowest ${Math.min(...second).toFixed(1)} → ${Math.min(...last).toFixed(1)} MiB: ${ratio(Math.min(...last), Math.min(...second))}`)
  console.log(`  highest after the first minute ${ratio(Math.max(...later.map((s) => s.rss)), median(second))} of the baseline median; trend ${slope.toFixed(2)} MiB/min; heap used at the end ${heapMiB.toFixed(1)} MiB; ${exchanges.toLocaleString('en')} exchanges`)
  console.log('target: resident memory flat (no growth) over ten minutes of sustained load')
} finally {
  await Promise.all(servers.map((s) => s.stop().catch(() => undefined)))
  rmSync(dataDir, { recursive: true, force: true })
}
