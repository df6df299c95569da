// Latency at a fixed arrival rate, measured with `ndxp load` in the open model (from each request's
// intended send time, so a stall of the target shows in full), the generator pinned to `core`.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LoadResult } from '../../cli/load/result-types.js'
import { distRoot, hasTaskset } from './processes.js'

export interface FixedRateLatency {
  readonly p50: number
  readonly p99: number
  readonly max: number
  readonly sent: number
  readonly failed: number
  readonly dropped: number
}

export interface FixedRateRequest {
  readonly path: string
  readonly headers?: Record<string, string>
}

/** One agency sending `request` (`{seq}` in the path is filled per request) at `rate`/s for `seconds`. */
/**
 * The first seconds of a process under load are its JIT's: optimising compilers and GC helper threads
 * share the target's one core with it, for stalls of a few hundred ms. `warmupSeconds` keeps them out
 * of a steady-state figure.
 */
export async function latencyAtRate (url: string, request: FixedRateRequest, rate: number, seconds: number, warmupSeconds = 6, core = 1): Promise<FixedRateLatency> {
  const dir = mkdtempSync(join(tmpdir(), 'ndxp-fixed-rate-'))
  try {
    const scenario = join(dir, 'scenario.json')
    const client = request.headers?.['x-road-client'] ?? 'VN/GOV/000.00.99.B01/LOAD'
    const apiKey = request.headers?.authorization?.replace(/^Bearer /, '') ?? 'ndxp_none'
    writeFileSync(scenario, JSON.stringify({ name: 'fixed-rate', agencies: [{ label: 'bench', client, apiKey }], requests: [{ path: request.path }] }))
    const out = join(dir, 'result.json')
    const args = [join(distRoot, 'cli/ndxp.js'), 'load', '--target', url, '--scenario', scenario, '--rate', String(rate), '--duration', `${seconds}s`, '--warmup', `${warmupSeconds}s`, '--json', out, '--quiet']
    const child = hasTaskset ? spawn('taskset', ['-c', String(core), process.execPath, ...args], { stdio: 'ignore' }) : spawn(process.execPath, args, { stdio: 'ignore' })
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    if (code !== 0 && code !== 1) throw new Error(`ndxp load exited with ${code}`)
    const result = JSON.parse(readFileSync(out, 'utf8')) as LoadResult
    return { p50: result.corrected.p50, p99: result.corrected.p99, max: result.corrected.max, sent: result.totals.sent, failed: result.totals.failed, dropped: result.totals.dropped }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
