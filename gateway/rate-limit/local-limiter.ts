// The in-process rate limiter: GCRA state in a Map, exact on one hub. Keys whose bucket is full again
// carry no information, so a sweep drops them and memory stays bounded by active agencies.
import type { RateLimit } from '../../contracts/registry.js'
import { gcraStep, type GcraState } from './gcra.js'
import type { RateDecision, RateLimiter } from './limiter.js'

export class LocalRateLimiter implements RateLimiter {
  private readonly states = new Map<string, GcraState>()
  private readonly sweeper: NodeJS.Timeout

  constructor (sweepEveryMs = 60_000, private readonly clock: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(this.clock()), sweepEveryMs)
    this.sweeper.unref()
  }

  consume (key: string, policy: RateLimit, nowMs: number): RateDecision {
    const step = gcraStep(this.states.get(key), policy, nowMs)
    this.states.set(key, step.state)
    return step.decision
  }

  /** Forgets keys whose theoretical arrival time has passed: their next request starts from full. */
  sweep (nowMs: number): void {
    for (const [key, state] of this.states) if (state.tat <= nowMs) this.states.delete(key)
  }

  get size (): number {
    return this.states.size
  }

  async close (): Promise<void> {
    clearInterval(this.sweeper)
  }
}
