// How the rate-limit store's health reaches operators: a /readyz check, and Prometheus series that
// read the limiter's state at each scrape (never per request).
import client from 'prom-client'
import type { ReadinessCheck } from '../health.js'
import { rateLimitFailurePolicies, type RateLimitStoreState } from './resilient-limiter.js'

interface StateSource { readonly state: RateLimitStoreState }

/**
 * Fails only while degraded under `closed`: that replica refuses exchanges anyway. Under `open` or
 * `local` it still serves by design, and failing readiness would have the load balancer turn a Redis
 * outage into a hub outage; the degraded state shows in /metrics (and in `state` for a /readyz body).
 */
export function rateLimitReadiness (source: StateSource): ReadinessCheck {
  return {
    name: 'rate-limit',
    check: async () => {
      const { degraded, failurePolicy, since, lastError } = source.state
      if (!degraded || failurePolicy !== 'closed') return
      throw new Error(`Redis has not answered since ${new Date(since ?? Date.now()).toISOString()} (${lastError ?? 'no detail'}); exchanges are refused (rate-limit failure policy closed)`)
    },
  }
}

export function registerRateLimitStoreMetrics (registry: client.Registry, source: StateSource): void {
  const registers = [registry]
  new client.Gauge({
    name: 'ndxp_rate_limit_store_degraded', help: '1 while rate limits are decided without Redis (by the failure policy), else 0', registers,
    collect () { this.set(source.state.degraded ? 1 : 0) },
  })
  new client.Gauge({
    name: 'ndxp_rate_limit_store_degraded_since_seconds', help: 'Unix time the current Redis outage began; 0 while Redis answers', registers,
    collect () { this.set((source.state.since ?? 0) / 1000) },
  })
  new client.Gauge({
    name: 'ndxp_rate_limit_replicas', help: 'Hub replicas the local failure policy divides each agency policy by', registers,
    collect () { this.set(source.state.replicas) },
  })
  // Counters mirror totals the limiter keeps; reset-then-inc publishes them as they are.
  new client.Counter({
    name: 'ndxp_rate_limit_store_outages_total', help: 'Times the rate limiter lost Redis and fell back to its failure policy', registers,
    collect () { this.reset(); this.inc(source.state.outages) },
  })
  new client.Counter({
    name: 'ndxp_rate_limit_degraded_decisions_total', help: 'Rate-limit decisions made without Redis, by failure policy', labelNames: ['policy'], registers,
    collect () {
      const decisions = source.state.degradedDecisions
      this.reset()
      for (const policy of rateLimitFailurePolicies) this.inc({ policy }, decisions[policy])
    },
  })
  new client.Counter({
    name: 'ndxp_rate_limit_degraded_refusals_total', help: 'Requests refused while Redis was away (closed: 503; local: 429 over the replica share)', registers,
    collect () { this.reset(); this.inc(source.state.degradedRefusals) },
  })
}
