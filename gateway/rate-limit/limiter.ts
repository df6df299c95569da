// The rate-limiter interface the exchange path uses, and the headers a decision turns into
// (IETF RateLimit / RateLimit-Policy fields, with Retry-After on rejection).
import type { RateLimit } from '../../contracts/registry.js'

export interface RateDecision {
  readonly allowed: boolean
  /** Requests that could still be made right now. */
  readonly remaining: number
  /** Seconds until the bucket is full again. */
  readonly resetSeconds: number
  /** Seconds to wait before a retry can succeed (0 when allowed). */
  readonly retryAfterSeconds: number
}

/** One decision per call; `key` names whose budget it is (a member, or a grant with its own quota). */
export interface RateLimiter {
  consume: (key: string, policy: RateLimit, nowMs: number) => RateDecision | Promise<RateDecision>
  close?: () => Promise<void>
}

/** The window a policy's burst covers at its sustained rate, in whole seconds (at least 1). */
export function policyWindowSeconds (policy: RateLimit): number {
  return Math.max(1, Math.ceil(policy.burst / policy.ratePerSecond))
}

export function rateLimitHeaders (name: string, policy: RateLimit, decision: RateDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'ratelimit-policy': `"${name}";q=${policy.burst};w=${policyWindowSeconds(policy)}`,
    ratelimit: `"${name}";r=${decision.remaining};t=${Math.ceil(decision.resetSeconds)}`,
  }
  if (!decision.allowed) headers['retry-after'] = String(Math.max(1, Math.ceil(decision.retryAfterSeconds)))
  return headers
}
