// Liveness (/healthz) and readiness (/readyz) probes. Register them at the root, outside the admin
// and exchange scopes: probes carry no credential and must never be rate-limited.
// For the OpenAPI keys (tags, summary, security) it adds to route schemas.
import type {} from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { NdxpError, problemSchema } from '../contracts/errors.js'

export interface ReadinessCheck {
  /** Named in the 503 answer, e.g. `registry`, `transactions`. */
  readonly name: string
  /** Resolves when the dependency can serve; rejects (or takes longer than the timeout) when not. */
  readonly check: () => Promise<void>
}

export interface HealthOptions {
  /** What /readyz checks; the hub decides (registry cache, transaction store, …). */
  readonly checks: readonly ReadinessCheck[]
  /** A check slower than this counts as failed: a hung store must not hang the probe. Default 2000. */
  readonly timeoutMs?: number
}

/** Ready once the registry view is loaded and its last reload reached the store. */
export function registryReadiness (cache: { readonly loaded: boolean, readonly stale: boolean }): ReadinessCheck {
  return {
    name: 'registry',
    check: async () => {
      if (!cache.loaded) throw new Error('the registry has not been loaded yet')
      if (cache.stale) throw new Error('the registry store did not answer the last reload')
    },
  }
}

function withTimeout (check: ReadinessCheck, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    // Not unref'd: it is always cleared, and while a probe waits it is what the probe waits on.
    timer = setTimeout(() => { reject(new Error(`no answer within ${timeoutMs} ms`)) }, timeoutMs)
  })
  // Promise.resolve().then: a check that throws synchronously still becomes a failed check.
  return Promise.race([Promise.resolve().then(check.check), timeout]).finally(() => { clearTimeout(timer) })
}

const readySchema = z.object({ status: z.literal('ready'), checks: z.array(z.string()) })
// Probes poll every few seconds; their log lines would drown everything else.
const quiet = { logLevel: 'warn' as const }

export async function healthRoutes (app: FastifyInstance, options: HealthOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 2000
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  const routes = app.withTypeProvider<ZodTypeProvider>()

  routes.get('/healthz', {
    ...quiet,
    schema: { tags: ['operations'], summary: 'Liveness: 200 while the process runs', response: { 200: z.object({ status: z.literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }))

  routes.get('/readyz', {
    ...quiet,
    schema: {
      tags: ['operations'],
      summary: 'Readiness: 200 when the registry is loaded and the stores answer, else 503 naming what failed',
      response: { 200: readySchema, 503: problemSchema },
    },
  }, async (request) => {
    const results = await Promise.allSettled(options.checks.map((c) => withTimeout(c, timeoutMs)))
    const failed = options.checks.flatMap((c, i) => {
      const result = results[i]
      return result?.status === 'rejected' ? [{ name: c.name, error: result.reason as unknown }] : []
    })
    if (failed.length > 0) {
      request.log.warn({ failed: failed.map((f) => ({ check: f.name, err: f.error })) }, 'not ready')
      const reasons = failed.map((f) => `${f.name}: ${f.error instanceof Error ? f.error.message : String(f.error)}`.slice(0, 300))
      throw new NdxpError('server.store_unavailable', `Not ready: ${reasons.join('; ')}.`)
    }
    return { status: 'ready' as const, checks: options.checks.map((c) => c.name) }
  })
}
