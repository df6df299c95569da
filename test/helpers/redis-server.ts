// Starts a private redis-server for one test file: a free port, its own data directory, stopped and
// removed afterwards. Never touches a Redis that may already run on 6379. Where no redis-server is
// installed the test fails loudly (in CI too) instead of silently skipping what it exists to check.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'

export interface RedisProcess {
  readonly port: number
  readonly url: string
  readonly dataDir: string
  /** Kills the server (SIGKILL: like a crash, nothing more is written). */
  kill: () => Promise<void>
  /** Starts it again on the same port and data directory (after kill). */
  restart: () => Promise<void>
  stop: () => Promise<void>
}

export interface RedisOptions {
  /** Append-only file, fsync'd on every write so that a killed server loses nothing acknowledged; default off. */
  appendOnly?: boolean
}

const binary = 'redis-server'

export function redisServerAvailable (): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0
}

export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port)
        else reject(new Error('no port'))
      })
    })
  })
}

/** Starts redis-server for this test and registers its teardown. */
export async function startRedis (t: Test, options: RedisOptions = {}): Promise<RedisProcess> {
  if (!redisServerAvailable()) {
    const message = 'redis-server is not installed: these tests need a real Redis. Install it (apt-get install -y redis-server); .ci/run does this itself.'
    console.error(`\n*** ${message} ***\n`)
    throw new Error(message)
  }
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'ndxp-redis-'))
  let child: ChildProcess | undefined
  const launch = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--save', '', '--daemonize', 'no',
      '--appendonly', options.appendOnly === true ? 'yes' : 'no', '--appendfsync', 'always', '--loglevel', 'warning']
    const started = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    child = started
    let output = ''
    started.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
    started.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
    await waitForPort(port, started, () => output)
  }
  const kill = async (): Promise<void> => {
    const current = child
    child = undefined
    if (current === undefined || current.exitCode !== null) return
    const exited = new Promise((resolve) => current.once('exit', resolve))
    current.kill('SIGKILL')
    await exited
  }
  const stop = async (): Promise<void> => {
    await kill()
    rmSync(dataDir, { recursive: true, force: true })
  }
  await launch()
  t.teardown(stop)
  return { port, url: `redis://127.0.0.1:${port}`, dataDir, kill, restart: launch, stop }
}

async function waitForPort (port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}:\n${output()}`)
    if (await answersPing(port)) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  child.kill('SIGKILL')
  throw new Error(`redis-server did not answer on port ${port} within 10 s:\n${output()}`)
}

async function answersPing (port: number): Promise<boolean> {
  const { connect } = await import('node:net')
  return await new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let reply = ''
    socket.setTimeout(500)
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk.toString()
      if (reply.includes('\r\n')) { socket.destroy(); resolve(reply.startsWith('+PONG')) }
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => { socket.destroy(); resolve(false) })
  })
}
