// Fixture targets for the load-engine tests: target-server.mjs in its own process (a fixed delay, a
// one-off stall, a concurrency count, or no answer at all), stopped when the test ends; and fixed streams.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { request } from 'undici'
import type { PlannedRequest, RateStage, RequestStream } from '../../cli/load/types.js'

const script = fileURLToPath(new URL('./target-server.mjs', import.meta.url))

export interface TestServer {
  readonly url: string
  /** Ordinary requests received so far, and the most the server held unanswered at once. */
  readonly stats: () => Promise<{ received: number, peakConcurrent: number }>
  /** Holds every response (to requests already in, and arriving) until `ms` from now. */
  readonly stall: (ms: number) => Promise<void>
}

export interface ServerBehaviour {
  /** Every response waits this long. */
  readonly delayMs?: number
  /** Never answer (the client must time out). */
  readonly silent?: boolean
}

export async function startServer (t: Test, behaviour: ServerBehaviour = {}): Promise<TestServer> {
  const args = [script, '--delay', String(behaviour.delayMs ?? 0), ...(behaviour.silent === true ? ['--silent'] : [])]
  // Plain node, none of the test's loader flags: the server is JavaScript.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  t.teardown(async () => {
    child.kill('SIGTERM')
    await exited
  })
  const port = await new Promise<string>((resolve, reject) => {
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /port (\d+)/.exec(output)
      if (match?.[1] !== undefined) resolve(match[1])
    })
    void exited.then(() => reject(new Error(`target-server exited before listening: ${output}`)))
  })
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    stats: async () => await (await request(`${url}/__stats`)).body.json() as { received: number, peakConcurrent: number },
    stall: async (ms) => { await (await request(`${url}/__stall?ms=${ms}`, { method: 'POST' })).body.dump() },
  }
}

/** A stream that sends `GET /<label>` on the given stages (open model) or with the given weight (closed). */
export function fixedStream (label: string, stages?: readonly RateStage[], extra: { startRate?: number, weight?: number, kind?: string } = {}): RequestStream {
  const planned: PlannedRequest = { method: 'GET', path: `/${label}`, headers: {}, label, kind: extra.kind ?? 'fixed' }
  return {
    label,
    ...(stages === undefined ? {} : { stages }),
    ...(extra.startRate === undefined ? {} : { startRate: extra.startRate }),
    ...(extra.weight === undefined ? {} : { weight: extra.weight }),
    next: () => planned,
  }
}
