// Benchmark of the hub against peers, in one run, on the same upstream and loader: a direct call,
// the hub with every feature on (authentication, identity, grant, rate limit, transaction log,
// metrics), bare @fastify/http-proxy, the minimal Fastify + undici forwarder the hub aims at
// (lib/minimal-forwarder.ts), and nginx as a reverse proxy where it is installed. The proxy
// under test runs alone on core 0; upstream and loader share core 1. Prints the latency the hub adds
// at a fixed 1,000 requests/s (`ndxp load`, open model: from each request's intended send, so stalls
// count in full), in steady state and again after the saturation runs; and throughput, p50/p99 and
// the proxy's CPU time per exchange at saturation. Bare http-proxy runs at the fixed rate too, in the
// same rounds: what a plain proxy adds on this machine, beside what the hub adds. A shared machine's
// speed drifts by more than the differences being measured, so each comparison runs in alternating
// rounds and quotes the median: http-proxy, the forwarder and the hub for CPU; direct, http-proxy and
// the hub for latency (lib/added-latency.ts). Then the hub and http-proxy once more, loaded at the same
// moment on core 0 (lib/paired-cpu.ts): a ratio the drift cannot reach.
// Usage: npm run build && node dist/bench/hub.js [--seconds 8] [--rate-seconds 10] [--rounds 3] [--rate-rounds 3] [--paired-rounds 8]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { request } from 'undici'
import { BENCH_CLIENT, benchServicePath, registerBenchAgency } from './lib/bench-agency.js'
import { closedLoop, percentile } from './lib/closed-loop.js'
import { addedLatency, ADDED_LATENCY_HEADER, PEER_LATENCY_HEADER, printAddedLatency, type AddedLatencyRound } from './lib/added-latency.js'
import { hasNginx, startNginx } from './lib/nginx.js'
import { pairedCpu } from './lib/paired-cpu.js'
import { cpuSeconds, distRoot, freePort, hasTaskset, mainThreadCpuSeconds, median, startPinned, type BenchServer } from './lib/processes.js'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    'rate-seconds': { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    'rate-rounds': { type: 'string', default: '3' },
    'paired-rounds': { type: 'string', default: '8' },
  },
})
const seconds = Number(values.seconds)
const rateSeconds = Number(values['rate-seconds'])
const rounds = Math.max(1, Number(values.rounds))
const rateRounds = Math.max(1, Number(values['rate-rounds']))
const pairedRounds = Math.max(1, Number(values['paired-rounds']))
const PAIRED_SECONDS = 5
const PAIRED_CONNECTIONS = 32
const FIXED_RATE = 1000
/** The peer measured beside the hub at the fixed rate. */
const PEER_NAME = 'bare @fastify/http-proxy'
const WARMUP_SECONDS = 6
const adminToken = 'bench-admin-token'
const dataDir = mkdtempSync(join(tmpdir(), 'ndxp-hub-bench-'))
const paths = Array.from({ length: 1000 }, (_, i) => `/bench/${i}`)

interface Row {
  name: string
  rate: number
  p50: number
  p99: number
  /** CPU per exchange of the whole process, and of its main thread alone (µs). */
  cpuMicros: number | undefined
  mainMicros: number | undefined
  errors: number
}

interface Target { name: string, url: string, pid?: number | undefined, paths: string[], headers?: Record<string, string>, settle?: () => Promise<void> }

/** One saturation run: a short warm-up, then `seconds` measured; `settle` runs before CPU is read (the hub's queued log writes count). */
async function measure (target: Target): Promise<Row> {
  const load = target.headers === undefined ? {} : { headers: target.headers }
  await closedLoop(target.url, target.paths, { seconds: 2, ...load })
  const pid = target.pid
  const cpuNow = (): { all: number, main: number } | undefined => pid === undefined ? undefined : { all: cpuSeconds(pid), main: mainThreadCpuSeconds(pid) }
  const before = cpuNow()
  const result = await closedLoop(target.url, target.paths, { seconds, ...load })
  await target.settle?.()
  const after = cpuNow()
  const perExchange = (used: number): number => used / result.requests * 1e6
  const errors = Object.entries(result.statusCounts).filter(([status]) => status !== '200').reduce((sum, [, n]) => sum + n, 0)
  return {
    name: target.name,
    rate: result.requests / result.seconds,
    p50: percentile(result.latencies, 50),
    p99: percentile(result.latencies, 99),
    cpuMicros: before === undefined || after === undefined ? undefined : perExchange(after.all - before.all),
    mainMicros: before === undefined || after === undefined ? undefined : perExchange(after.main - before.main),
    errors,
  }
}

/** Field by field, the median of several runs of one target. */
function medianRow (runs: Row[]): Row {
  const of = (field: (row: Row) => number | undefined): number | undefined => {
    const values = runs.map(field).filter((v): v is number => v !== undefined)
    return values.length === 0 ? undefined : median(values)
  }
  return {
    name: (runs[0] as Row).name,
    rate: of((r) => r.rate) as number,
    p50: of((r) => r.p50) as number,
    p99: of((r) => r.p99) as number,
    cpuMicros: of((r) => r.cpuMicros),
    mainMicros: of((r) => r.mainMicros),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
  }
}

/** Resolves once the hub's transaction writer has nothing queued (read from /metrics). */
async function writerIdle (hubUrl: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const response = await request(`${hubUrl}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } })
    const pending = /^ndxp_transaction_writer_pending (\d+)/m.exec(await response.body.text())?.[1]
    if (pending === '0') return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('the hub\'s transaction writer still had records queued after 60 s')
}

const servers: BenchServer[] = []
try {
  const upstream = await startPinned(join(distRoot, 'bench/lib/upstream-server.js'), [], {}, 1)
  servers.push(upstream)
  const proxy = await startPinned(join(distRoot, 'bench/lib/http-proxy-server.js'), [], { UPSTREAM_URL: upstream.url }, 0)
  servers.push(proxy)
  const forwarder = await startPinned(join(distRoot, 'bench/lib/minimal-forwarder.js'), [], { UPSTREAM_URL: upstream.url }, 0)
  servers.push(forwarder)
  const hub = await startPinned(join(distRoot, 'cli/ndxp.js'), ['gateway', '--port', '0'], { NDXP_DATA_DIR: dataDir, NDXP_ADMIN_TOKEN: adminToken, NDXP_LOG_LEVEL: 'warn', NDXP_HUB_URL: '' }, 0)
  servers.push(hub)
  const key = await registerBenchAgency(hub.url, adminToken, upstream.url)
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const hubHeaders = { authorization: `Bearer ${key}`, 'x-road-client': BENCH_CLIENT }
  const fixedRate = async (): Promise<AddedLatencyRound[]> => await addedLatency({
    upstreamUrl: upstream.url,
    direct: { path: '/bench/{seq}' },
    hubUrl: hub.url,
    throughHub: { path: benchServicePath('/bench/{seq}'), headers: hubHeaders },
    adminToken,
    rate: FIXED_RATE,
    seconds: rateSeconds,
    warmupSeconds: WARMUP_SECONDS,
    rounds: rateRounds,
    peer: { url: proxy.url, request: { path: '/bench/{seq}' } },
  })
  // Steady state: the hub has only ever seen this rate (after the warm-up that keeps its JIT out).
  const steady = await fixedRate()

  const direct = await measure({ name: 'direct to upstream', url: upstream.url, paths })
  let nginxRow: Row | undefined
  if (hasNginx) {
    const nginx = await startNginx(upstream.url, await freePort(), 0)
    nginxRow = await measure({ name: 'nginx (reverse proxy)', url: nginx.url, pid: nginx.child.pid, paths })
    await nginx.stop()
  }
  const proxyTarget: Target = { name: '@fastify/http-proxy (bare)', url: proxy.url, pid: proxy.child.pid, paths }
  const hubTarget: Target = { name: 'ndxp hub (all features)', url: hub.url, pid: hub.child.pid, paths: paths.map(benchServicePath), headers: hubHeaders, settle: async () => await writerIdle(hub.url) }
  const forwarderTarget: Target = { name: 'minimal forwarder', url: forwarder.url, pid: forwarder.child.pid, paths }
  const proxyRuns: Row[] = []
  const forwarderRuns: Row[] = []
  const hubRuns: Row[] = []
  for (let round = 0; round < rounds; round++) {
    proxyRuns.push(await measure(proxyTarget))
    forwarderRuns.push(await measure(forwarderTarget))
    hubRuns.push(await measure(hubTarget))
  }
  await forwarder.stop()
  const peer = medianRow(proxyRuns)
  const ratiosTo = (runs: Row[]): number[] => runs.map((run, i) => (run.cpuMicros as number) / ((proxyRuns[i] as Row).cpuMicros as number))
  const roundRatios = ratiosTo(hubRuns)
  const forwarderRatios = ratiosTo(forwarderRuns)
  // Each row with its ratio to http-proxy: the forwarder's and the hub's are the medians of the rounds' ratios.
  const rows: Array<[Row, string]> = [[direct, ''], [peer, '1.00'], [medianRow(forwarderRuns), median(forwarderRatios).toFixed(2)]]
  if (nginxRow !== undefined) rows.push([nginxRow, ((nginxRow.cpuMicros as number) / (peer.cpuMicros as number)).toFixed(2)])
  rows.push([medianRow(hubRuns), median(roundRatios).toFixed(2)])
  console.log(`\n64 connections, 1 KB upstream answer, proxy alone on core 0${hasTaskset ? '' : ' (taskset missing: not pinned)'}, ${seconds} s each; http-proxy, the minimal forwarder and the hub in ${rounds} alternating rounds (medians)${hasNginx ? '' : '; nginx not installed, so not compared'}`)
  console.log('target                        req/s     p50 ms   p99 ms   proxy µs CPU/exchange   × http-proxy CPU')
  for (const [row, ratio] of rows) {
    console.log(`${row.name.padEnd(28)} ${Math.round(row.rate).toString().padStart(7)} ${row.p50.toFixed(2).padStart(9)} ${row.p99.toFixed(2).padStart(8)} ${row.cpuMicros === undefined ? '—'.padStart(23) : row.cpuMicros.toFixed(1).padStart(23)} ${ratio.padStart(18)}${row.errors > 0 ? `   (${row.errors} non-200!)` : ''}`)
  }
  console.log('\nround   http-proxy µs (main thread + other threads)   forwarder µs (main + other)   hub µs (main thread + other threads: log writer, GC)   hub × http-proxy')
  const split = (row: Row): string => `${(row.cpuMicros as number).toFixed(1)} (${(row.mainMicros as number).toFixed(1)} + ${((row.cpuMicros as number) - (row.mainMicros as number)).toFixed(1)})`
  hubRuns.forEach((run, i) => console.log(`${String(i + 1).padEnd(7)} ${split(proxyRuns[i] as Row).padEnd(45)} ${split(forwarderRuns[i] as Row).padEnd(29)} ${split(run).padEnd(54)} ${(roundRatios[i] as number).toFixed(2)}`))
  console.log(`median ratio ${median(roundRatios).toFixed(2)} (rounds: ${roundRatios.map((r) => r.toFixed(2)).join(', ')}); the forwarder's ${median(forwarderRatios).toFixed(2)}`)

  // The same comparison with both loaded at once (lib/paired-cpu.ts): the machine's drift cancels.
  const paired = await pairedCpu(
    { url: hub.url, pid: hub.child.pid as number, paths: hubTarget.paths, headers: hubHeaders, settle: async () => await writerIdle(hub.url) },
    { url: proxy.url, pid: proxy.child.pid as number, paths },
    { rounds: pairedRounds, seconds: PAIRED_SECONDS, connections: PAIRED_CONNECTIONS },
  )
  console.log(`\nthe hub and ${PEER_NAME} loaded at once, both on core 0, ${PAIRED_CONNECTIONS} connections each, ${pairedRounds} rounds of ${PAIRED_SECONDS} s (sharing the core makes both dearer than alone; the ratio is the figure):`)
  console.log(`CPU per exchange, medians: hub ${paired.medians[0].toFixed(1)} µs, http-proxy ${paired.medians[1].toFixed(1)} µs; hub × http-proxy, median of rounds ${paired.ratio.toFixed(2)} (rounds: ${paired.rounds.map(([a, b]) => (a / b).toFixed(2)).join(', ')})`)

  // Again after the saturation runs, once the hub has written what they left queued: the heap and
  // the log they grew are the hub's to carry now.
  await writerIdle(hub.url)
  const afterSaturation = await fixedRate()
  await proxy.stop()
  console.log(`\nat a fixed ${FIXED_RATE} requests/s, direct, through ${PEER_NAME} and through the hub in ${rateRounds} alternating rounds of ${rateSeconds} s, each after a ${WARMUP_SECONDS} s warm-up (ndxp load, open model, latency from intended send):`)
  console.log(ADDED_LATENCY_HEADER + PEER_LATENCY_HEADER)
  printAddedLatency('steady state', steady, PEER_NAME)
  printAddedLatency('after saturation', afterSaturation, PEER_NAME)
  console.log('(the hub\'s own time is its ndxp_exchange_hub_seconds histogram, as bucket bounds; the difference of the two p99s also holds the extra loopback hop and the scheduling of loader and upstream, which share core 1)')

  const stats = await request(`${hub.url}/v1/stats?groupBy=outcome`, { headers: { authorization: `Bearer ${adminToken}` } })
  const totals = (await stats.body.json() as { totals: { count: number } }).totals
  console.log(`hub's own count of recorded exchanges: ${totals.count}`)
  console.log('target: the hub costs no more CPU per exchange than bare @fastify/http-proxy (ratio ≤ 1.00), and aims at the minimal forwarder')
} finally {
  await Promise.all(servers.map((s) => s.stop().catch(() => undefined)))
  rmSync(dataDir, { recursive: true, force: true })
}
