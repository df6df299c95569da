// A closed-loop HTTP load: keep-alive connections, one request in flight on each (HTTP/1.1 clients
// do not pipeline in practice), cycling through a list of paths.
import { Client } from 'undici'

export interface LoadResult {
  readonly requests: number
  readonly seconds: number
  readonly statusCounts: Record<number, number>
  /** Milliseconds, sorted ascending. */
  readonly latencies: Float64Array
}

export function percentile (sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))] as number
}

export async function closedLoop (url: string, paths: readonly string[], options: { requests?: number, seconds?: number, connections?: number, pipelining?: number, headers?: Record<string, string> }): Promise<LoadResult> {
  const connections = options.connections ?? 64
  const pipelining = options.pipelining ?? 1
  const limit = options.requests ?? Number.POSITIVE_INFINITY
  const deadline = options.seconds === undefined ? Number.POSITIVE_INFINITY : performance.now() + options.seconds * 1000
  const statusCounts: Record<number, number> = {}
  let issued = 0
  const latencies: number[] = []
  const started = performance.now()
  const clients = Array.from({ length: connections }, () => new Client(url, { pipelining, keepAliveTimeout: 60_000 }))
  const worker = async (client: Client): Promise<void> => {
    while (issued < limit && performance.now() < deadline) {
      const path = paths[issued++ % paths.length] as string
      const sent = performance.now()
      const response = await client.request({ method: 'GET', path, headers: options.headers })
      await response.body.dump()
      latencies.push(performance.now() - sent)
      statusCounts[response.statusCode] = (statusCounts[response.statusCode] ?? 0) + 1
    }
  }
  await Promise.all(clients.flatMap((client) => Array.from({ length: pipelining }, () => worker(client))))
  const seconds = (performance.now() - started) / 1000
  await Promise.all(clients.map((client) => client.close()))
  return { requests: Object.values(statusCounts).reduce((a, b) => a + b, 0), seconds, statusCounts, latencies: Float64Array.from(latencies).sort() }
}
