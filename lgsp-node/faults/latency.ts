// Latency distributions: turn a rule's distribution into a seeded sampler of delays in milliseconds.
import { MAX_LATENCY_MS, type LatencyDistribution } from '../../contracts/faults.js'
import type { Random } from './prng.js'

/** z such that P(Z ≤ z) = 0.99 for a standard normal Z; links a log-normal's median to its p99. */
const Z_99 = 2.3263478740408408

// Box–Muller; 1 - u keeps the logarithm's argument in (0, 1].
function standardNormal (random: Random): number {
  const u1 = 1 - random()
  const u2 = random()
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
}

const clamp = (value: number, cap: number): number => Math.min(Math.max(value, 0), cap)

/**
 * Returns a sampler of whole milliseconds.
 * - fixed: always `ms`.
 * - uniform: uniform in [minMs, maxMs].
 * - lognormal: exp(ln(medianMs) + sigma·Z) with sigma = ln(p99Ms / medianMs) / 2.326, so half the
 *   samples fall below medianMs and 1 % above p99Ms; a tail beyond p99 is what makes it realistic.
 * - pareto: minMs / U^(1/alpha); no sample is below minMs, and P(X > x) = (minMs / x)^alpha.
 *   alpha around 1.1–2 gives the "mostly fast, occasionally terrible" shape of a loaded database.
 * Long-tailed samples are clamped to capMs (default MAX_LATENCY_MS).
 */
export function createLatencySampler (distribution: LatencyDistribution, random: Random): () => number {
  switch (distribution.type) {
    case 'fixed':
      return () => Math.round(distribution.ms)
    case 'uniform': {
      const { minMs, maxMs } = distribution
      return () => Math.round(minMs + (maxMs - minMs) * random())
    }
    case 'lognormal': {
      const mu = Math.log(distribution.medianMs)
      const sigma = Math.log(distribution.p99Ms / distribution.medianMs) / Z_99
      const cap = distribution.capMs ?? MAX_LATENCY_MS
      return () => Math.round(clamp(Math.exp(mu + sigma * standardNormal(random)), cap))
    }
    case 'pareto': {
      const { minMs, alpha } = distribution
      const cap = distribution.capMs ?? MAX_LATENCY_MS
      return () => Math.round(clamp(minMs / Math.pow(1 - random(), 1 / alpha), cap))
    }
  }
}
