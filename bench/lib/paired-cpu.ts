// CPU per exchange of two proxies loaded at the same moment, both on core 0, each under its own closed
// loop. Measured one after the other, a shared machine's speed drifts between the runs by more than
// the difference being measured (one hub build has measured 85 and 155 µs in consecutive rounds);
// loaded together, both meet the same neighbours and the same drift, and the ratio of the two holds
// steady round after round (the same build against itself: 0.96–1.08). Sharing the core costs each of
// them CPU of its own (switches between them, caches shared), so the figures run higher than alone:
// it is the ratio that this measures.
import { closedLoop } from './closed-loop.js'
import { cpuSeconds, median } from './processes.js'

export interface PairedTarget {
  readonly url: string
  readonly pid: number
  readonly paths: readonly string[]
  readonly headers?: Record<string, string>
  /** Runs before CPU is read after each round (the hub's queued log writes count). */
  readonly settle?: () => Promise<void>
}

export interface PairedResult {
  /** Per round, CPU µs per exchange of the first and of the second target. */
  readonly rounds: ReadonlyArray<readonly [number, number]>
  /** Median over rounds of first ÷ second. */
  readonly ratio: number
  readonly medians: readonly [number, number]
}

export async function pairedCpu (first: PairedTarget, second: PairedTarget, options: { rounds: number, seconds: number, connections: number }): Promise<PairedResult> {
  const pair = [first, second] as const
  const loadBoth = async (seconds: number): Promise<number[]> => {
    const results = await Promise.all(pair.map(async (target) => await closedLoop(target.url, target.paths, {
      seconds, connections: options.connections, ...(target.headers === undefined ? {} : { headers: target.headers }),
    })))
    return results.map((result) => result.requests)
  }
  await loadBoth(3)
  const rounds: Array<[number, number]> = []
  for (let round = 0; round < options.rounds; round++) {
    const before = pair.map((target) => cpuSeconds(target.pid))
    const requests = await loadBoth(options.seconds)
    for (const target of pair) await target.settle?.()
    const micros = pair.map((target, i) => (cpuSeconds(target.pid) - (before[i] as number)) / (requests[i] as number) * 1e6)
    rounds.push([micros[0] as number, micros[1] as number])
  }
  return {
    rounds,
    ratio: median(rounds.map(([a, b]) => a / b)),
    medians: [median(rounds.map(([a]) => a)), median(rounds.map(([, b]) => b))],
  }
}
