// Starting servers for benchmarks as separate processes pinned to one core, and reading their CPU
// time and resident memory from /proc, so figures describe the server alone, not the load generator.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

const CLOCK_TICKS = 100

export const distRoot = fileURLToPath(new URL('../../', import.meta.url))
export const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0

export interface BenchServer {
  readonly child: ChildProcess
  readonly url: string
  stop: () => Promise<void>
}

/**
 * Spawns `node <script> ...args` pinned to `core`, resolving once it prints a URL on stdout.
 * `wrapper` runs node under another program (valgrind, say): `[...wrapper, node, script, ...args]`.
 */
export function startPinned (script: string, args: string[], env: NodeJS.ProcessEnv, core = 0, wrapper: string[] = []): Promise<BenchServer> {
  const line = [...wrapper, process.execPath, script, ...args]
  const [command, ...commandArgs] = hasTaskset ? ['taskset', '-c', String(core), ...line] : line as [string, ...string[]]
  const child = spawn(command as string, commandArgs, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let output = ''
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening: ${output}`)))
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /(http:\/\/[\d.]+:\d+)/.exec(output)
      if (match?.[1] !== undefined) {
        child.removeAllListeners('exit')
        resolve({
          child,
          url: match[1],
          stop: () => new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done()
            child.once('exit', () => done())
            child.kill('SIGTERM')
          }),
        })
      }
    })
  })
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds (pid: number): number {
  return statCpuSeconds(`/proc/${pid}/stat`)
}

/**
 * CPU seconds of the process's main thread alone; the rest of cpuSeconds is its other threads (worker
 * threads such as the hub's log writer, V8's GC helpers, libuv's pool).
 */
export function mainThreadCpuSeconds (pid: number): number {
  return statCpuSeconds(`/proc/${pid}/task/${pid}/stat`)
}

function statCpuSeconds (path: string): number {
  const stat = readFileSync(path, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}

/** Resident set size in MiB. */
export function rssMiB (pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024
}

export function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] as number : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

export async function freePort (): Promise<number> {
  return await new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
