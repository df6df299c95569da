// Benchmark of `ndxp load` against autocannon (and wrk where installed), in one run, against the
// same target: a Fastify server answering 1 KB, alone on core 0; each generator alone on core 1.
// For each tool: the highest rate it drives with 64 connections (closed loop) and its own CPU per
// request; then `ndxp load` in the open model at autocannon's rate, to show it holds that rate
// (nothing dropped) while measuring latency from each request's intended send time.
// Usage: npm run build && node dist/bench/load-tools.js [--seconds 6]
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { LoadResult } from '../cli/load/result-types.js'
import { cpuSeconds, distRoot, hasTaskset, median, startPinned } from './lib/processes.js'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '6' }, runs: { type: 'string', default: '3' } } })
const seconds = Number(values.seconds)
const runs = Number(values.runs)
const dir = mkdtempSync(join(tmpdir(), 'ndxp-load-bench-'))
const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js')
const ndxp = join(distRoot, 'cli/ndxp.js')
const hasWrk = spawnSync('wrk', ['--version'], { stdio: 'ignore' }).status !== null && spawnSync('which', ['wrk']).status === 0

interface ToolRun { requests: number, seconds: number, cpuSeconds: number, stdout: string }

/** Runs a generator pinned to core 1 and samples its CPU until it exits (the last sample before exit counts). */
async function runTool (command: string, args: string[]): Promise<ToolRun> {
  const full = hasTaskset ? ['taskset', ['-c', '1', command, ...args]] as const : [command, args] as const
  const child = spawn(full[0], [...full[1]], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', () => {})
  let cpu = 0
  const sampler = setInterval(() => { try { cpu = cpuSeconds(child.pid as number) } catch { /* exited */ } }, 50)
  const started = Date.now()
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  clearInterval(sampler)
  if (code !== 0 && code !== 1) throw new Error(`${command} ${args.join(' ')} exited with ${code}: ${stdout.slice(-500)}`)
  return { requests: 0, seconds: (Date.now() - started) / 1000, cpuSeconds: cpu, stdout }
}

async function autocannon (url: string): Promise<{ rate: number, cpuPerRequest: number, p99: number }> {
  const run = await runTool(process.execPath, [autocannonBin, '-c', '64', '-d', String(seconds), '-j', `${url}/bench/1`])
  const report = JSON.parse(run.stdout) as { requests: { total: number }, duration: number, latency: { p99: number } }
  return { rate: report.requests.total / report.duration, cpuPerRequest: run.cpuSeconds / report.requests.total * 1e6, p99: report.latency.p99 }
}

async function wrk (url: string): Promise<{ rate: number, cpuPerRequest: number, p99: number }> {
  const run = await runTool('wrk', ['-t1', '-c64', `-d${seconds}s`, '--latency', `${url}/bench/1`])
  const total = Number(/(\d+) requests in/.exec(run.stdout)?.[1] ?? Number.NaN)
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(run.stdout)
  const p99ms = p99 === null ? Number.NaN : Number(p99[1]) * (p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1)
  return { rate: total / seconds, cpuPerRequest: run.cpuSeconds / total * 1e6, p99: p99ms }
}

const scenarioFile = join(dir, 'bench.yaml')
writeFileSync(scenarioFile, 'name: bench\nagencies:\n  - label: bench\n    client: VN/GOV/000.00.99.B01/LOAD\n    apiKey: ndxp_bench\nrequests:\n  - path: /bench/{seq}\n')

async function ndxpLoad (url: string, model: string[]): Promise<{ rate: number, cpuPerRequest: number, p99: number, dropped: number, late: number, uncorrectedP99: number }> {
  const out = join(dir, 'result.json')
  const run = await runTool(process.execPath, [ndxp, 'load', '--target', url, '--scenario', scenarioFile, ...model, '--connections', '64', '--json', out, '--quiet'])
  const result = JSON.parse(readFileSync(out, 'utf8')) as LoadResult
  // No warm-up, as autocannon has none: the whole process's CPU over every request it sent.
  return { rate: result.totals.rate, cpuPerRequest: run.cpuSeconds / result.totals.sent * 1e6, p99: result.corrected.p99, uncorrectedP99: result.uncorrected.p99, dropped: result.totals.dropped, late: result.totals.late }
}

const target = await startPinned(join(distRoot, 'bench/lib/upstream-server.js'), [], {}, 0)
try {
  type Measured = { rate: number, cpuPerRequest: number, p99: number }
  const rows: Array<{ tool: string, rate: number, cpu: number, p99: number, note: string }> = []
  const summarize = <T extends Measured>(tool: string, results: T[], note: (r: T) => string = () => ''): void => {
    const byRate = [...results].sort((a, b) => a.rate - b.rate)
    const mid = byRate[Math.floor(byRate.length / 2)] as T
    rows.push({ tool, rate: median(results.map((r) => r.rate)), cpu: median(results.map((r) => r.cpuPerRequest)), p99: median(results.map((r) => r.p99)), note: note(mid) })
  }
  // Rounds, each tool once per round: a machine that drifts (shared cores) drifts for every tool alike.
  const closedTools: Array<[string, () => Promise<Measured>]> = [
    ['autocannon -c 64', () => autocannon(target.url)],
    ...(hasWrk ? [['wrk -t1 -c64', () => wrk(target.url)] as [string, () => Promise<Measured>]] : []),
    ['ndxp load --concurrency 64', () => ndxpLoad(target.url, ['--concurrency', '64', '--duration', `${seconds}s`])],
  ]
  const closedResults = closedTools.map(() => [] as Measured[])
  for (let round = 0; round < runs; round++) {
    for (const [i, [, run]] of closedTools.entries()) closedResults[i]?.push(await run())
  }
  for (const [i, [tool]] of closedTools.entries()) summarize(tool, closedResults[i] as Measured[])
  const autocannonRate = Math.floor((rows[0]?.rate ?? 1000) / 100) * 100
  const openResults: Array<Awaited<ReturnType<typeof ndxpLoad>>> = []
  for (let round = 0; round < runs; round++) openResults.push(await ndxpLoad(target.url, ['--rate', String(autocannonRate), '--duration', `${seconds}s`]))
  summarize(`ndxp load --rate ${autocannonRate} (open)`, openResults,
    (r) => `held ${(r.rate / autocannonRate * 100).toFixed(1)}% of the rate, ${r.dropped} dropped, ${r.late} late; p99 ${r.p99.toFixed(2)} ms from intended send, ${r.uncorrectedP99.toFixed(2)} ms from actual`)

  const baseline = rows[0] as { rate: number, cpu: number }
  console.log(`\ntarget: Fastify, 1 KB answer, alone on core 0; each generator alone on core 1${hasTaskset ? '' : ' (taskset missing: not pinned)'}; ${seconds} s, median of ${runs} runs taken in rounds${hasWrk ? '' : '; wrk not installed'}`)
  console.log('generator                            req/s   × autocannon   µs CPU/request   × autocannon   p99 ms')
  for (const row of rows) {
    console.log(`${row.tool.padEnd(34)} ${Math.round(row.rate).toString().padStart(7)} ${(row.rate / baseline.rate).toFixed(2).padStart(14)} ${row.cpu.toFixed(1).padStart(16)} ${(row.cpu / baseline.cpu).toFixed(2).padStart(14)} ${row.p99.toFixed(2).padStart(8)}${row.note === '' ? '' : `\n${''.padEnd(36)}${row.note}`}`)
  }
  console.log('target: ndxp load sustains at least autocannon\'s rate against the same target, at no more CPU per request')
} finally {
  await target.stop()
  rmSync(dir, { recursive: true, force: true })
}
