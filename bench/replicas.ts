// Benchmark of the hub's stores, in one run, on the same upstream and loader: one replica on SQLite,
// one on Redis, two on Redis. Hubs run on core 0; upstream, Redis and loader share core 1.
// Prints throughput, p50/p99, hub CPU per exchange (all replicas together), scripts the hubs ran per
// exchange (EVALSHA: a rate-limit decision each, plus one log append per batch) and every command
// Redis executed per exchange, including those inside the scripts.
// Usage: npm run build && node dist/bench/replicas.js [--seconds 8]
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { BENCH_CLIENT, benchServicePath, registerBenchAgency } from './lib/bench-agency.js'
import { closedLoop, percentile, type LoadResult } from './lib/closed-loop.js'
import { cpuSeconds, distRoot, freePort, hasTaskset, startPinned, type BenchServer } from './lib/processes.js'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '8' } } })
const seconds = Number(values.seconds)
const adminToken = 'bench-admin-token'
const dataDir = mkdtempSync(join(tmpdir(), 'ndxp-replicas-bench-'))
const paths = Array.from({ length: 1000 }, (_, i) => benchServicePath(`/bench/${i}`))

interface RedisCounts { scripts: number, commands: number }

/** redis-server pinned beside the loader; returns its URL and a way to read its command counters. */
async function startRedis (): Promise<{ url: string, counts: () => RedisCounts, stop: () => void }> {
  const port = await freePort()
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dataDir]
  const child = hasTaskset ? spawn('taskset', ['-c', '1', 'redis-server', ...args], { stdio: 'ignore' }) : spawn('redis-server', args, { stdio: 'ignore' })
  const cli = (...command: string[]): string => spawnSync('redis-cli', ['-p', String(port), ...command], { encoding: 'utf8' }).stdout
  for (let i = 0; i < 100 && !cli('PING').includes('PONG'); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  return {
    url: `redis://127.0.0.1:${port}`,
    // commandstats counts commands run inside scripts under their own names, and each script once.
    counts: () => {
      const stats = cli('INFO', 'commandstats')
      const calls = [...stats.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)].map((m) => ({ name: m[1] as string, calls: Number(m[2]) }))
      return { scripts: calls.filter((c) => c.name === 'evalsha' || c.name === 'eval').reduce((sum, c) => sum + c.calls, 0), commands: calls.reduce((sum, c) => sum + c.calls, 0) }
    },
    stop: () => { child.kill('SIGKILL') },
  }
}

interface Row { name: string, rate: number, p50: number, p99: number, cpuMicros: number, redis: RedisCounts | undefined, errors: number }

/** Spreads 64 connections over the replicas, a closed loop each; merges what they saw. */
async function load (hubs: BenchServer[], key: string, runSeconds: number): Promise<LoadResult> {
  const headers = { authorization: `Bearer ${key}`, 'x-road-client': BENCH_CLIENT }
  const results = await Promise.all(hubs.map((hub) => closedLoop(hub.url, paths, { seconds: runSeconds, connections: 64 / hubs.length, headers })))
  const latencies = Float64Array.from(results.flatMap((r) => [...r.latencies])).sort()
  const statusCounts: Record<number, number> = {}
  for (const r of results) for (const [status, n] of Object.entries(r.statusCounts)) statusCounts[Number(status)] = (statusCounts[Number(status)] ?? 0) + n
  return { requests: results.reduce((sum, r) => sum + r.requests, 0), seconds: Math.max(...results.map((r) => r.seconds)), statusCounts, latencies }
}

async function measure (name: string, hubs: BenchServer[], key: string, redisCounts?: () => RedisCounts): Promise<Row> {
  await load(hubs, key, 2)
  const cpu = (): number => hubs.reduce((sum, hub) => sum + cpuSeconds(hub.child.pid as number), 0)
  const cpuBefore = cpu()
  const before = redisCounts?.()
  const result = await load(hubs, key, seconds)
  const cpuMicros = (cpu() - cpuBefore) / result.requests * 1e6
  // Counted after the writers' next flush, so that the log writes of these exchanges are included.
  await new Promise((resolve) => setTimeout(resolve, 500))
  const after = redisCounts?.()
  const redis = before === undefined || after === undefined ? undefined : { scripts: (after.scripts - before.scripts) / result.requests, commands: (after.commands - before.commands) / result.requests }
  const errors = Object.entries(result.statusCounts).filter(([status]) => status !== '200').reduce((sum, [, n]) => sum + n, 0)
  return { name, rate: result.requests / result.seconds, p50: percentile(result.latencies, 50), p99: percentile(result.latencies, 99), cpuMicros, redis, errors }
}

async function startHubs (count: number, env: Record<string, string>): Promise<BenchServer[]> {
  const hubs: BenchServer[] = []
  for (let i = 1; i <= count; i++) {
    hubs.push(await startPinned(join(distRoot, 'cli/ndxp.js'), ['gateway', '--port', '0'], {
      NDXP_DATA_DIR: join(dataDir, `${env.NDXP_STORE ?? 'sqlite'}-${count}-${i}`), NDXP_ADMIN_TOKEN: adminToken, NDXP_LOG_LEVEL: 'warn',
      NDXP_HUB_URL: '', NDXP_GATEWAY_ID: `bench-hub-${i}`, ...env,
    }, 0))
  }
  return hubs
}

const cleanups: Array<() => Promise<void> | void> = []
try {
  const upstream = await startPinned(join(distRoot, 'bench/lib/upstream-server.js'), [], {}, 1)
  cleanups.push(() => upstream.stop())
  const rows: Row[] = []

  const sqlite = await startHubs(1, { NDXP_STORE: 'sqlite' })
  rows.push(await measure('1 replica, SQLite', sqlite, await registerBenchAgency(sqlite[0]?.url as string, adminToken, upstream.url)))
  await Promise.all(sqlite.map((hub) => hub.stop()))

  for (const count of [1, 2]) {
    const redis = await startRedis()
    cleanups.push(redis.stop)
    const hubs = await startHubs(count, { NDXP_STORE: 'redis', NDXP_REDIS_URL: redis.url })
    const key = await registerBenchAgency(hubs[0]?.url as string, adminToken, upstream.url)
    await new Promise((resolve) => setTimeout(resolve, 1500)) // every replica has the registry change
    rows.push(await measure(`${count} replica${count > 1 ? 's' : ''}, Redis`, hubs, key, redis.counts))
    await Promise.all(hubs.map((hub) => hub.stop()))
    redis.stop()
  }

  const baseline = rows[0] as Row
  console.log(`\n64 connections, 1 KB upstream answer, hubs on core 0, upstream + Redis + loader on core 1${hasTaskset ? '' : ' (taskset missing: not pinned)'}, ${seconds} s each`)
  console.log('setup                  req/s    p50 ms   p99 ms   hub µs CPU/exchange   × SQLite CPU   scripts/exchange   Redis cmds/exchange (incl. in scripts)')
  for (const row of rows) {
    const redis = row.redis === undefined ? ['—', '—'] : [row.redis.scripts.toFixed(3), row.redis.commands.toFixed(2)]
    console.log(`${row.name.padEnd(20)} ${Math.round(row.rate).toString().padStart(7)} ${row.p50.toFixed(2).padStart(9)} ${row.p99.toFixed(2).padStart(8)} ${row.cpuMicros.toFixed(1).padStart(21)} ${(row.cpuMicros / baseline.cpuMicros).toFixed(2).padStart(14)} ${(redis[0] as string).padStart(18)} ${(redis[1] as string).padStart(21)}${row.errors > 0 ? `   (${row.errors} non-200!)` : ''}`)
  }
  console.log('targets: one replica on Redis ≤ 1.25× the CPU per exchange of one on SQLite; at most one Redis round trip on the request path (log writes batched off it)')
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup()
  rmSync(dataDir, { recursive: true, force: true })
}
