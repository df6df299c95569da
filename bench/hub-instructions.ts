// Instructions per exchange, counted by valgrind's callgrind: bare @fastify/http-proxy against the hub
// with every feature on, on the same upstream and load. CPU seconds on a shared machine swing with its
// neighbours (one hub build has measured 121 and 224 µs per exchange in consecutive rounds of one run); an instruction
// count barely does. It is not exact either: V8 optimizes on background threads, so when faster code
// arrives varies (bare http-proxy's main thread has counted 304k to 389k per exchange), and the other
// threads hold GC helpers whose share varies too; run it more than once. Each target runs under
// callgrind with instrumentation off for a fixed number of warm-up exchanges (V8 optimizes by counts,
// not by time), then on for a fixed number of exchanges.
// What it leaves out, and says so: kernel time (socket and file I/O), and the log writer's batch size.
// Under callgrind the hub runs about fifty times slower, so a 200 ms flush carries a few records
// instead of hundreds, and the writer's share per exchange is overstated.
// Usage: npm run build && node dist/bench/hub-instructions.js [--exchanges 2000] [--warmup 5000]
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { BENCH_CLIENT, benchServicePath, registerBenchAgency } from './lib/bench-agency.js'
import { closedLoop } from './lib/closed-loop.js'
import { distRoot, startPinned } from './lib/processes.js'

const { values } = parseArgs({ options: { exchanges: { type: 'string', default: '2000' }, warmup: { type: 'string', default: '5000' } } })
const exchanges = Number(values.exchanges)
const warmup = Number(values.warmup)
const CONNECTIONS = 16
const adminToken = 'bench-admin-token'

interface Count { name: string, main: number, other: number }

if (spawnSync('callgrind_control', ['--version']).status !== 0) {
  console.error('valgrind is not installed (apt-get install -y valgrind): no instruction counts')
  process.exit(1)
}

const upstream = await startPinned(join(distRoot, 'bench/lib/upstream-server.js'), [], {}, 1)
const work = mkdtempSync(join(tmpdir(), 'ndxp-instructions-'))
try {
  const proxy = await count('@fastify/http-proxy (bare)', join(distRoot, 'bench/lib/http-proxy-server.js'), [], false)
  const hub = await count('ndxp hub (all features)', join(distRoot, 'cli/ndxp.js'), ['gateway', '--port', '0'], true)
  const k = (n: number): string => `${(n / 1000).toFixed(1)}k`.padStart(9)
  console.log(`\n${exchanges} exchanges after ${warmup} to warm up, ${CONNECTIONS} connections, 1 KB answer; user-space instructions per exchange (callgrind)`)
  console.log('target                        all threads   main thread   other threads   × http-proxy (all, main)')
  for (const row of [proxy, hub]) {
    const ratio = (row.main + row.other) / (proxy.main + proxy.other)
    console.log(`${row.name.padEnd(28)} ${k(row.main + row.other)}     ${k(row.main)}     ${k(row.other)}       ${ratio.toFixed(2)}, ${(row.main / proxy.main).toFixed(2)}`)
  }
  console.log('(other threads: V8\'s GC helpers, and the hub\'s log writer with the small batches callgrind\'s slowness makes; kernel time is not counted)')
} finally {
  await upstream.stop()
  rmSync(work, { recursive: true, force: true })
}

/** One target under callgrind: started uninstrumented, warmed up, then counted over `exchanges`. */
async function count (name: string, script: string, args: string[], isHub: boolean): Promise<Count> {
  const out = mkdtempSync(join(work, 'callgrind-'))
  const env = { UPSTREAM_URL: upstream.url, NDXP_DATA_DIR: join(out, 'data'), NDXP_ADMIN_TOKEN: adminToken, NDXP_LOG_LEVEL: 'warn', NDXP_HUB_URL: '' }
  const valgrind = ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', `--log-file=${out}/valgrind.log`, `--callgrind-out-file=${out}/cg.%p`]
  const target = await startPinned(script, args, env, 0, valgrind)
  try {
    let paths = Array.from({ length: 1000 }, (_, i) => `/bench/${i}`)
    let headers: Record<string, string> = {}
    if (isHub) {
      const key = await registerBenchAgency(target.url, adminToken, upstream.url)
      paths = paths.map(benchServicePath)
      headers = { authorization: `Bearer ${key}`, 'x-road-client': BENCH_CLIENT }
    }
    await closedLoop(target.url, paths, { requests: warmup, connections: CONNECTIONS, headers })
    const control = (flag: string): void => { execFileSync('callgrind_control', [flag, String(target.child.pid)], { stdio: 'ignore' }) }
    control('--instr=on')
    control('--zero')
    const result = await closedLoop(target.url, paths, { requests: exchanges, connections: CONNECTIONS, headers })
    const failed = result.requests - (result.statusCounts[200] ?? 0)
    if (failed > 0) throw new Error(`${name}: ${failed} of ${result.requests} exchanges were not 200: ${JSON.stringify(result.statusCounts)}`)
    // The hub's log is part of its cost: let the last batch reach the store before counting stops.
    if (isHub) await new Promise((resolve) => setTimeout(resolve, 3000))
    control('--dump')
    return { name, ...perExchange(out, result.requests) }
  } finally {
    await target.stop()
  }
}

/** Sums the first dump's per-thread totals: thread 1 is the main thread. */
function perExchange (dir: string, requests: number): Omit<Count, 'name'> {
  let main = 0
  let other = 0
  for (const file of readdirSync(dir)) {
    const thread = /^cg\.\d+\.1-(\d+)$/.exec(file)?.[1]
    if (thread === undefined) continue
    const total = Number(/^summary: (\d+)/m.exec(readFileSync(join(dir, file), 'utf8'))?.[1] ?? 0)
    if (Number(thread) === 1) main += total
    else other += total
  }
  if (main === 0) throw new Error(`no callgrind dump in ${dir}`)
  return { main: main / requests, other: other / requests }
}
