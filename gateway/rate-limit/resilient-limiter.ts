// The failure policy around the Redis limiter: while Redis fails or times out, decide `open` (admit),
// `closed` (503 server.store_unavailable) or `local` (each replica at its share of the policy). After
// a failure Redis is left alone for a backoff and probed in the background, so that during an outage
// no request waits for a timeout, and decisions return to Redis by themselves once it answers.
import { NdxpError } from '../../contracts/errors.js'
import type { RateLimit } from '../../contracts/registry.js'
import { gcraStep } from './gcra.js'
import type { RateDecision, RateLimiter } from './limiter.js'
import { LocalRateLimiter } from './local-limiter.js'

export const rateLimitFailurePolicies = ['open', 'closed', 'local'] as const
export type RateLimitFailurePolicy = typeof rateLimitFailurePolicies[number]

/** A limiter backed by a store that can be checked without spending anyone's budget. */
export interface ProbedRateLimiter extends RateLimiter {
  probe: () => Promise<void>
}

/** What /readyz and /metrics show. */
export interface RateLimitStoreState {
  readonly failurePolicy: RateLimitFailurePolicy
  readonly degraded: boolean
  /** When the current outage began (epoch ms); undefined while the store answers. */
  readonly since: number | undefined
  readonly lastError: string | undefined
  /** Outages since start. */
  readonly outages: number
  /** Decisions made without the store since start, by the policy that made them. */
  readonly degradedDecisions: Readonly<Record<RateLimitFailurePolicy, number>>
  /** Of those, the refusals: every `closed` one, and `local` ones over the replica's share. */
  readonly degradedRefusals: number
  /** Replicas the `local` share divides by. */
  readonly replicas: number
}

export interface ResilientRateLimiterOptions {
  /** The RedisRateLimiter (any ProbedRateLimiter in tests). */
  readonly store: ProbedRateLimiter
  readonly onFailure: RateLimitFailurePolicy
  /** Live replicas including this one (ReplicaPresence.count); default 1. */
  readonly replicas?: () => number
  /** Wait before the first probe after a failure, doubling up to max. Default 250 → 1000 ms. */
  readonly backoffMs?: { readonly min: number, readonly max: number }
  readonly clock?: () => number
  /** Called on entering and leaving degraded mode (with the error on entering): log it there. */
  readonly onChange?: (state: RateLimitStoreState, error?: unknown) => void
}

export class ResilientRateLimiter implements RateLimiter {
  private readonly store: ProbedRateLimiter
  private readonly options: ResilientRateLimiterOptions
  private readonly clock: () => number
  private readonly local = new LocalRateLimiter()
  private readonly decisions: Record<RateLimitFailurePolicy, number> = { open: 0, closed: 0, local: 0 }
  private refusals = 0
  private outages = 0
  private since: number | undefined
  private lastError: string | undefined
  private backoff = 0
  private probeTimer: NodeJS.Timeout | undefined
  private closing = false

  constructor (options: ResilientRateLimiterOptions) {
    this.store = options.store
    this.options = options
    this.clock = options.clock ?? Date.now
  }

  get failurePolicy (): RateLimitFailurePolicy { return this.options.onFailure }

  get state (): RateLimitStoreState {
    return {
      failurePolicy: this.options.onFailure,
      degraded: this.since !== undefined,
      since: this.since,
      lastError: this.lastError,
      outages: this.outages,
      degradedDecisions: { ...this.decisions },
      degradedRefusals: this.refusals,
      replicas: this.replicas(),
    }
  }

  async consume (key: string, policy: RateLimit, nowMs: number): Promise<RateDecision> {
    if (this.since === undefined) {
      try {
        return await this.store.consume(key, policy, nowMs)
      } catch (error) {
        this.fail(error)
      }
    }
    return this.decideWithoutStore(key, policy, nowMs)
  }

  async close (): Promise<void> {
    this.closing = true
    clearTimeout(this.probeTimer)
    await this.local.close()
    await this.store.close?.()
  }

  private decideWithoutStore (key: string, policy: RateLimit, nowMs: number): RateDecision {
    const failurePolicy = this.options.onFailure
    this.decisions[failurePolicy]++
    if (failurePolicy === 'open') return gcraStep(undefined, policy, nowMs).decision
    if (failurePolicy === 'closed') {
      this.refusals++
      const since = new Date(this.since ?? nowMs).toISOString()
      throw new NdxpError('server.store_unavailable', `The rate-limit store (Redis) has not answered since ${since}, and this hub is configured to refuse requests it cannot rate-limit (failure policy closed). Requests pass again as soon as Redis answers; to keep serving through an outage, choose the open or local policy.`)
    }
    // Every replica that shared the budget before the outage now limits alone, each at its share:
    // together they still admit about the policy. The burst cannot go below one request.
    const replicas = this.replicas()
    const share = { ratePerSecond: policy.ratePerSecond / replicas, burst: Math.max(1, policy.burst / replicas) }
    const decision = this.local.consume(key, share, nowMs)
    if (!decision.allowed) this.refusals++
    return decision
  }

  private replicas (): number {
    const count = this.options.replicas?.() ?? 1
    return Number.isFinite(count) && count >= 1 ? Math.floor(count) : 1
  }

  private fail (error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error)
    // Requests in flight when Redis went away fail together; the first one opens the outage.
    if (this.since !== undefined) return
    this.since = this.clock()
    this.outages++
    this.backoff = this.options.backoffMs?.min ?? 250
    this.scheduleProbe()
    this.options.onChange?.(this.state, error)
  }

  private scheduleProbe (): void {
    if (this.closing) return
    this.probeTimer = setTimeout(() => { void this.probe() }, this.backoff)
    this.probeTimer.unref()
  }

  private async probe (): Promise<void> {
    try {
      await this.store.probe()
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error)
      this.backoff = Math.min(this.backoff * 2, this.options.backoffMs?.max ?? 1000)
      this.scheduleProbe()
      return
    }
    this.since = undefined
    this.lastError = undefined
    this.options.onChange?.(this.state)
  }
}
