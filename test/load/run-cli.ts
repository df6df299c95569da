// Runs the ndxp CLI from source as a child process until it exits, collecting its output and exit code
// (for commands that finish, like `ndxp stats` and `ndxp load`, unlike spawnCli's long-running servers).
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { CommandIo } from '../../cli/command-io.js'

const cliSource = fileURLToPath(new URL('../../cli/ndxp.ts', import.meta.url))

export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export function runCli (args: string[], env: Record<string, string> = {}, timeoutMs = 90_000): Promise<CliRun> {
  const child = spawn(process.execPath, [...process.execArgv, cliSource, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`ndxp ${args.join(' ')} did not end within ${timeoutMs} ms:\n${stdout}\n${stderr}`)) }, timeoutMs)
    child.once('error', reject)
    child.once('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

/** An in-process CommandIo that keeps what the command printed. */
export function capturedIo (env: Record<string, string | undefined> = {}): CommandIo & { readonly stdout: string[], readonly stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (text) => { stdout.push(text) }, err: (text) => { stderr.push(text) }, env, now: () => Date.now() }
}
