// The in-process rate limiter: GCRA state in a Map, exact on one hub. Keys whose bucket is full again
// carry no information, so a sweep drops them and memory stays bounded by active agencies.
import type { RateLimit } from '../../contracts/registry.js'
import { gcraStep } from './gcra.js'
import type { RateDecision, RateLimiter } from './limiter.js'

export class LocalRateLimiter implements RateLimiter {
  private readonly tats = new Map<string, number>()
  private readonly sweeper: NodeJS.Timeout

  constructor (sweepEveryMs = 60_000, private readonly clock: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(this.clock()), sweepEveryMs)
    this.sweeper.unref()
  }

  consume (key: string, policy: RateLimit, nowMs: number): RateDecision {
    const step = gcraStep(this.tats.get(key), policy, nowMs)
    this.tats.set(key, step.tat)
    return step.decision
  }

  /** Forgets keys whose theoretical arrival time has passed: their next request starts from full. */
  sweep (nowMs: number): void {
    for (const [key, tat] of this.tats) if (tat <= nowMs) this.tats.delete(key)
  }

  get size (): number {
    return this.tats.size
  }

  async close (): Promise<void> {
    clearInterval(this.sweeper)
  }
}
