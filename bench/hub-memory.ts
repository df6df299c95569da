// The hub's memory under sustained load: every feature on (authentication, grant, rate limit,
// transaction log, metrics), 64 connections at saturation for ten minutes, the hub alone on core 0.
// Samples resident memory (from /proc), V8's heap in use and the log writer's queue (from /metrics)
// after each slice of load; the baseline is the hub's own second minute, in the same run.
// Usage: npm run build && taskset -c 1 node dist/bench/hub-memory.js [--minutes 10] [--slice-seconds 30]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { request } from 'undici'
import { BENCH_CLIENT, benchServicePath, registerBenchAgency } from './lib/bench-agency.js'
import { closedLoop } from './lib/closed-loop.js'
import { distRoot, rssMiB, startPinned, type BenchServer } from './lib/processes.js'

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, 'slice-seconds': { type: 'string', default: '30' } } })
const minutes = Number(values.minutes)
const sliceSeconds = Number(values['slice-seconds'])
const adminToken = 'bench-admin-token'
const dataDir = mkdtempSync(join(tmpdir(), 'ndxp-hub-memory-'))
const paths = Array.from({ length: 1000 }, (_, i) => benchServicePath(`/bench/${i}`))

interface Sample { at: number, exchanges: number, rss: number, heapMiB: number, pending: number }

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
  console.log(`hub alone on core 0, 64 connections, 1 KB answers, ${minutes} min in slices of ${sliceSeconds} s`)
  console.log('minute   exchanges   req/s    RSS MiB   heap used MiB   log queue   non-200')
  const samples: Sample[] = []
  let exchanges = 0
  const began = performance.now()
  for (let elapsed = 0; elapsed < minutes * 60; elapsed += sliceSeconds) {
    const slice = await closedLoop(hub.url, paths, { seconds: sliceSeconds, headers })
    exchanges += slice.requests
    const { heapMiB, pending } = await scrape(hub.url)
    const sample = { at: (performance.now() - began) / 60_000, exchanges, rss: rssMiB(pid), heapMiB, pending }
    samples.push(sample)
    const failed = Object.entries(slice.statusCounts).filter(([status]) => status !== '200').reduce((sum, [, n]) => sum + n, 0)
    console.log(`${sample.at.toFixed(1).padStart(6)} ${String(exchanges).padStart(11)} ${Math.round(slice.requests / slice.seconds).toString().padStart(7)} ${sample.rss.toFixed(1).padStart(10)} ${heapMiB.toFixed(1).padStart(15)} ${String(pending).padStart(11)} ${String(failed).padStart(9)}`)
  }
  // Baseline: the median of the samples in the second minute (the first is the JIT's and the page
  // cache's); the end: the median of the last minute's. One sample can catch a collection mid-way.
  const median = (list: number[]): number => [...list].sort((a, b) => a - b)[Math.floor((list.length - 1) / 2)] as number
  const warmSamples = samples.filter((s) => s.at >= 1 && s.at <= 2.05)
  const endSamples = samples.filter((s) => s.at >= (samples[samples.length - 1] as Sample).at - 1.05)
  const baseline = median((warmSamples.length > 0 ? warmSamples : samples).map((s) => s.rss))
  const end = median(endSamples.map((s) => s.rss))
  const later = samples.filter((s) => s.at >= 1)
  const maxRss = Math.max(...later.map((s) => s.rss))
  // Least-squares slope of RSS over the minutes after the first: a leak shows as a steady climb.
  const meanT = later.reduce((sum, s) => sum + s.at, 0) / later.length
  const meanR = later.reduce((sum, s) => sum + s.rss, 0) / later.length
  const slope = later.reduce((sum, s) => sum + (s.at - meanT) * (s.rss - meanR), 0) / later.reduce((sum, s) => sum + (s.at - meanT) ** 2, 0)
  const last = samples[samples.length - 1] as Sample
  console.log(`\nRSS, median of the second minute (baseline) ${baseline.toFixed(1)} MiB; median of the last minute ${end.toFixed(1)} MiB: ×${(end / baseline).toFixed(3)}`)
  console.log(`highest after the first minute ×${(maxRss / baseline).toFixed(3)}; trend ${slope.toFixed(2)} MiB/min; heap used at the end ${last.heapMiB.toFixed(1)} MiB; ${last.exchanges.toLocaleString('en')} exchanges`)
  console.log('target: resident memory flat (no growth) over ten minutes of sustained load')
} finally {
  await Promise.all(servers.map((s) => s.stop().catch(() => undefined)))
  rmSync(dataDir, { recursive: true, force: true })
}
