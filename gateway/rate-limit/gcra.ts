// GCRA (generic cell rate algorithm) arithmetic, shared by the in-process limiter and mirrored by the
// Redis Lua script: the state is one "theoretical arrival time" per key, and a request is admitted
// iff it would not push that time more than `burst` emission intervals ahead of now. Over any
// window t this admits at most burst + rate·t requests: exact, with no drift between windows.
import type { RateLimit } from '../../contracts/registry.js'
import type { RateDecision } from './limiter.js'

export interface GcraStep {
  readonly decision: RateDecision
  /** The key's new theoretical arrival time (unchanged when rejected). */
  readonly tat: number
}

export function gcraStep (previousTat: number | undefined, policy: RateLimit, nowMs: number): GcraStep {
  const interval = 1000 / policy.ratePerSecond
  const capacity = interval * policy.burst
  const base = previousTat === undefined || previousTat < nowMs ? nowMs : previousTat
  const tat = base + interval
  const ahead = tat - nowMs
  if (ahead > capacity + 1e-9) {
    const waitMs = ahead - capacity
    return {
      tat: base,
      decision: { allowed: false, remaining: 0, resetSeconds: (base - nowMs) / 1000, retryAfterSeconds: waitMs / 1000 },
    }
  }
  return {
    tat,
    decision: { allowed: true, remaining: Math.floor((capacity - ahead) / interval + 1e-9), resetSeconds: ahead / 1000, retryAfterSeconds: 0 },
  }
}
