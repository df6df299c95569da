// GCRA (generic cell rate algorithm) arithmetic, shared by the in-process limiter and mirrored by the
// Redis Lua script: the state is one "theoretical arrival time" per key, and a request is admitted
// iff it would not push that time more than `burst` emission intervals ahead of now. Over any
// window t this admits at most burst + rate·t requests: exact, with no drift between windows.
import type { RateLimit } from '../../contracts/registry.js'
import type { RateDecision } from './limiter.js'

/** A key's state: its theoretical arrival time, and the emission interval (ms) of the policy that set it. */
export interface GcraState {
  readonly tat: number
  readonly interval: number
}

export interface GcraStep {
  readonly decision: RateDecision
  /** The key's new state (its time unchanged when rejected, unless a policy change moved it). */
  readonly state: GcraState
}

export function gcraStep (previous: GcraState | undefined, policy: RateLimit, nowMs: number): GcraStep {
  const interval = 1000 / policy.ratePerSecond
  const capacity = interval * policy.burst
  const base = previous === undefined || previous.tat < nowMs ? nowMs : nowMs + usedMs(previous, interval, capacity, nowMs)
  const tat = base + interval
  const ahead = tat - nowMs
  if (ahead > capacity + 1e-9) {
    const waitMs = ahead - capacity
    return {
      state: { tat: base, interval },
      decision: { allowed: false, remaining: 0, resetSeconds: (base - nowMs) / 1000, retryAfterSeconds: waitMs / 1000 },
    }
  }
  return {
    state: { tat, interval },
    decision: { allowed: true, remaining: Math.floor((capacity - ahead) / interval + 1e-9), resetSeconds: ahead / 1000, retryAfterSeconds: 0 },
  }
}

/**
 * The part of the bucket in use, in ms of the current policy. Policies change under live keys (an
 * admin edit applies on the next request), so the state's time is read in requests at the rate that
 * set it, and at most a full bucket carries over: raising a limit frees the agency at once, and
 * lowering one never makes it wait longer than the new policy's own bucket takes to drain.
 */
function usedMs (previous: GcraState, interval: number, capacity: number, nowMs: number): number {
  const ahead = previous.tat - nowMs
  return Math.min(previous.interval === interval ? ahead : ahead / previous.interval * interval, capacity)
}
