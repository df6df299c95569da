// Benchmark of the national-database mocks over HTTP: each node alone on one core (taskset), a
// pipelined loader on the other; a bare Fastify server on the same core, measured just before each
// mock, is its baseline.
// Prints lookups/s, server CPU per lookup, and resident memory after 10 and after 1,000,000 lookups.
// Usage: npm run build && node dist/bench/mocks.js [--lookups 1000000] [--seconds 5] [--only <node>]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { request } from 'undici'
import { closedLoop } from './lib/closed-loop.js'
import { cpuSeconds, distRoot, hasTaskset, rssMiB, startPinned } from './lib/processes.js'
import { mockTargets } from './lib/mock-targets.js'

const { values } = parseArgs({ options: { lookups: { type: 'string', default: '1000000' }, seconds: { type: 'string', default: '5' }, only: { type: 'string' } } })
const totalLookups = Number(values.lookups)
const measureSeconds = Number(values.seconds)
const adminToken = 'bench-admin-token'
const dataDir = mkdtempSync(join(tmpdir(), 'ndxp-bench-'))
const cli = join(distRoot, 'cli/ndxp.js')

interface Row { name: string, lookupsPerSecond: number, cpuMicros: number, baselineRate: number, rssAfter10: number, rssAfterAll: number, lookups: number, errors: number }

async function measure (url: string, pid: number, paths: string[]): Promise<{ rate: number, cpuMicros: number, requests: number, errors: number }> {
  await closedLoop(url, paths, { seconds: 1 })
  const cpuBefore = cpuSeconds(pid)
  const result = await closedLoop(url, paths, { seconds: measureSeconds })
  const cpu = cpuSeconds(pid) - cpuBefore
  const errors = Object.entries(result.statusCounts).filter(([status]) => Number(status) >= 500).reduce((sum, [, n]) => sum + n, 0)
  return { rate: result.requests / result.seconds, cpuMicros: cpu / result.requests * 1e6, requests: result.requests, errors }
}

const rows: Row[] = []
const basePaths = Array.from({ length: 1000 }, (_, i) => `/bare/${i}`)
// Measured again right before each mock: a whole run takes tens of minutes on a shared machine, and a
// baseline from its start would flatter or wrong the mocks measured last.
async function measureBaseline (): Promise<{ rate: number, cpuMicros: number }> {
  const baseline = await startPinned(join(distRoot, 'bench/lib/bare-server.js'), [], {})
  try {
    return await measure(baseline.url, baseline.child.pid as number, basePaths)
  } finally {
    await baseline.stop()
  }
}

for (const target of mockTargets.filter((t) => values.only === undefined || t.node === values.only)) {
  const base = await measureBaseline()
  console.log(`baseline before ${target.name} (bare Fastify, 1 KB JSON): ${Math.round(base.rate)} req/s, ${base.cpuMicros.toFixed(1)} µs CPU/req${hasTaskset ? '' : ' (taskset missing: not pinned)'}`)
  const server = await startPinned(cli, ['node', '--node', target.node, '--port', '0'], { NDXP_DATA_DIR: dataDir, NDXP_ADMIN_TOKEN: adminToken, NDXP_LOG_LEVEL: 'warn' })
  const pid = server.child.pid as number
  const keys = await request(`${server.url}/_node/keys/${target.source}?offset=0&count=10000`, { headers: { authorization: `Bearer ${adminToken}` } })
  const body = await keys.body.json() as { keys: string[], size: number }
  // Spread the sample over the whole key space, not just its start.
  const stride = Math.floor(body.size / 10_000)
  const sample = stride > 1
    ? await Promise.all(Array.from({ length: 20 }, async (_, chunk) => {
      const page = await request(`${server.url}/_node/keys/${target.source}?offset=${chunk * stride * 500}&count=500`, { headers: { authorization: `Bearer ${adminToken}` } })
      return (await page.body.json() as { keys: string[] }).keys
    })).then((pages) => pages.flat())
    : body.keys
  const paths = sample.map(target.path)
  await closedLoop(server.url, paths, { requests: 10, connections: 1, pipelining: 1 })
  const rssAfter10 = rssMiB(pid)
  const result = await measure(server.url, pid, paths)
  const remaining = Math.max(0, totalLookups - result.requests - 10)
  const rest = await closedLoop(server.url, paths, { requests: remaining })
  const rssAfterAll = rssMiB(pid)
  rows.push({ name: target.name, lookupsPerSecond: result.rate, cpuMicros: result.cpuMicros, baselineRate: base.rate, rssAfter10, rssAfterAll, lookups: 10 + result.requests + rest.requests, errors: result.errors })
  await server.stop()
}
rmSync(dataDir, { recursive: true, force: true })

console.log('\n×baseline: against bare Fastify measured just before that mock\nmock                      lookups/s   ×baseline   µs CPU/lookup   RSS@10 MiB   RSS@all MiB   growth   lookups')
for (const row of rows) {
  const growth = (row.rssAfterAll / row.rssAfter10 - 1) * 100
  console.log(`${row.name.padEnd(24)} ${Math.round(row.lookupsPerSecond).toString().padStart(10)} ${(row.lookupsPerSecond / row.baselineRate).toFixed(2).padStart(11)} ${row.cpuMicros.toFixed(1).padStart(15)} ${row.rssAfter10.toFixed(1).padStart(12)} ${row.rssAfterAll.toFixed(1).padStart(13)} ${growth.toFixed(1).padStart(7)}% ${row.lookups.toString().padStart(9)}${row.errors > 0 ? `  (${row.errors} 5xx!)` : ''}`)
}
console.log('\ntargets: ≥ 15,000 lookups/s on one core per mock; RSS after 1M lookups within 10% of RSS after 10')
