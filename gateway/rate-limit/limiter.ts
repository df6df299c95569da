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

/**
 * Whole seconds as HTTP delta-seconds: an integer, at most 2^31 − 1 (RFC 9110 §1.2.2 asks recipients
 * to take that as the largest). A policy of one request per 1e300 s would otherwise print 1e+300.
 */
export function deltaSeconds (seconds: number, atLeast = 0): number {
  return Math.min(2_147_483_647, Math.max(atLeast, Math.ceil(seconds)))
}

/** The window a policy's burst covers at its sustained rate, in whole seconds (at least 1). */
export function policyWindowSeconds (policy: RateLimit): number {
  return deltaSeconds(policy.burst / policy.ratePerSecond, 1)
}

export function rateLimitHeaders (name: string, policy: RateLimit, decision: RateDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'ratelimit-policy': `"${name}";q=${policy.burst};w=${policyWindowSeconds(policy)}`,
    ratelimit: `"${name}";r=${decision.remaining};t=${deltaSeconds(decision.resetSeconds)}`,
  }
  if (!decision.allowed) headers['retry-after'] = String(deltaSeconds(decision.retryAfterSeconds, 1))
  return headers
}
