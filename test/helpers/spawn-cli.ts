// Runs the ndxp CLI as a child process from TypeScript source (under the loader this test runs
// with), and waits until it prints the URL it listens on.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const cliSource = fileURLToPath(new URL('../../cli/ndxp.ts', import.meta.url))
/** The compiled CLI, as the Docker image runs it; `npm test` builds it first (pretest). */
export const builtCli = fileURLToPath(new URL('../../dist/cli/ndxp.js', import.meta.url))

export interface SpawnedCli {
  readonly child: ChildProcess
  readonly url: string
  readonly output: () => string
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>
}

export function spawnCli (args: string[], env: Record<string, string>, urlPattern = /listening on (http:\/\/[\d.]+:\d+)/, options: { built?: boolean } = {}): Promise<SpawnedCli> {
  if (options.built === true && !existsSync(builtCli)) throw new Error(`${builtCli} is missing: run \`npm run build\` (npm test does it first)`)
  const command = options.built === true ? [builtCli] : [...process.execArgv, cliSource]
  const child = spawn(process.execPath, [...command, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  // If this test process ends without its teardown (a timeout), the child must not outlive it.
  const reap = (): void => { if (child.exitCode === null) child.kill('SIGKILL') }
  process.once('exit', reap)
  child.once('exit', () => process.off('exit', reap))
  let output = ''
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 60 s; output:\n${output}`)), 60_000)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const match = urlPattern.exec(output)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve({ child, url: match[1], output: () => output, exited })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code} before listening:\n${output}`))
    })
  })
}
