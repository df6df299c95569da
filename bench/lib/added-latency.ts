// The latency the hub adds at a fixed rate: direct to the upstream and through the hub, in alternating
// rounds, each with `ndxp load` (open model, latency from intended send) after its own warm-up. The
// difference of two p99s on a shared machine swings by milliseconds from one run to the next, so the
// figure quoted is the median over rounds; beside it, the hub's own time from its histogram, and what
// a peer proxy (bare @fastify/http-proxy) adds in the same rounds: an absolute target in milliseconds
// means little on a machine that is slower than the reference, a peer beside it says how slow.
import { latencyAtRate, type FixedRateLatency, type FixedRateRequest } from './fixed-rate.js'
import { hubTimePercentile, hubTimeSnapshot, type HubTimeSnapshot } from './hub-time.js'
import { median } from './processes.js'

export interface AddedLatencySetup {
  readonly upstreamUrl: string
  readonly direct: FixedRateRequest
  readonly hubUrl: string
  readonly throughHub: FixedRateRequest
  readonly adminToken: string
  readonly rate: number
  readonly seconds: number
  readonly warmupSeconds: number
  readonly rounds: number
  /** Measured in each round between direct and the hub: a proxy in front of the same upstream. */
  readonly peer?: { readonly url: string, readonly request: FixedRateRequest }
}

export interface AddedLatencyRound {
  readonly direct: FixedRateLatency
  readonly through: FixedRateLatency
  readonly peer: FixedRateLatency | undefined
  /** Bucket bounds (ms) of the hub's own time, from its ndxp_exchange_hub_seconds histogram. */
  readonly hubP50: number
  readonly hubP99: number
}

export async function addedLatency (setup: AddedLatencySetup): Promise<AddedLatencyRound[]> {
  const rounds: AddedLatencyRound[] = []
  for (let round = 0; round < setup.rounds; round++) {
    const direct = await latencyAtRate(setup.upstreamUrl, setup.direct, setup.rate, setup.seconds, setup.warmupSeconds)
    const peer = setup.peer === undefined ? undefined : await latencyAtRate(setup.peer.url, setup.peer.request, setup.rate, setup.seconds, setup.warmupSeconds)
    rounds.push({ direct, peer, ...await throughHub(setup) })
  }
  return rounds
}

/** The hub's histogram is read from one second after the warm-up (the load tool takes a moment to start) to the end. */
async function throughHub (setup: AddedLatencySetup): Promise<Omit<AddedLatencyRound, 'direct' | 'peer'>> {
  let before: HubTimeSnapshot | undefined
  const snapshot = setTimeout(() => { void hubTimeSnapshot(setup.hubUrl, setup.adminToken).then((s) => { before = s }) }, (setup.warmupSeconds + 1) * 1000)
  const through = await latencyAtRate(setup.hubUrl, setup.throughHub, setup.rate, setup.seconds, setup.warmupSeconds)
  clearTimeout(snapshot)
  const after = await hubTimeSnapshot(setup.hubUrl, setup.adminToken)
  const from = before ?? after.map((b) => ({ le: b.le, count: 0 }))
  return { through, hubP50: hubTimePercentile(from, after, 50), hubP99: hubTimePercentile(from, after, 99) }
}

/** One line per round, then the medians: what the hub (and the peer, if any) adds at p50 and p99, and the hub's own time. */
export function printAddedLatency (phase: string, rounds: readonly AddedLatencyRound[], peerName = 'the peer'): void {
  const ms = (v: number): string => v.toFixed(2).padStart(7)
  const trio = (r: FixedRateLatency): string => `${ms(r.p50)} ${ms(r.p99)} ${ms(r.max)}`
  const lostIn = (r: FixedRateLatency | undefined): number => r === undefined ? 0 : r.failed + r.dropped
  rounds.forEach((r, i) => {
    const lost = lostIn(r.direct) + lostIn(r.through) + lostIn(r.peer)
    const peer = r.peer === undefined ? '' : `   ${trio(r.peer)}   ${ms(r.peer.p99 - r.direct.p99)}`
    console.log(`${phase.padEnd(17)} ${String(i + 1).padEnd(5)} ${trio(r.direct)}   ${trio(r.through)}   ${ms(r.through.p99 - r.direct.p99)}   ≤ ${r.hubP99} ms${peer}${lost > 0 ? `   (${lost} failed or dropped!)` : ''}`)
  })
  const addedP50 = median(rounds.map((r) => r.through.p50 - r.direct.p50))
  const addedP99 = median(rounds.map((r) => r.through.p99 - r.direct.p99))
  console.log(`${phase}: added by the hub, median of ${rounds.length} rounds: p50 ${addedP50.toFixed(2)} ms, p99 ${addedP99.toFixed(2)} ms (target: p99 under 2 ms); the hub's own time p50 ≤ ${median(rounds.map((r) => r.hubP50))} ms, p99 ≤ ${median(rounds.map((r) => r.hubP99))} ms`)
  const peers = rounds.flatMap((r) => r.peer === undefined ? [] : [{ direct: r.direct, peer: r.peer }])
  if (peers.length > 0) {
    const peerP50 = median(peers.map((r) => r.peer.p50 - r.direct.p50))
    const peerP99 = median(peers.map((r) => r.peer.p99 - r.direct.p99))
    console.log(`${phase}: added by ${peerName} in the same rounds: p50 ${peerP50.toFixed(2)} ms, p99 ${peerP99.toFixed(2)} ms`)
  }
}

export const ADDED_LATENCY_HEADER = 'phase             round  direct p50/p99/max ms    hub p50/p99/max ms      added p99   hub\'s own p99'
/** The header's continuation when a peer was measured. */
export const PEER_LATENCY_HEADER = '   peer p50/p99/max ms     peer added p99'
