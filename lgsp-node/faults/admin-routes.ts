// The admin API of fault injection under /_node/faults, guarded by the node's admin bearer token.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { NdxpError, problemSchema } from '../../contracts/errors.js'
import { faultCountsSchema, faultRuleInputSchema, faultRuleListSchema, faultRuleSchema } from '../../contracts/faults.js'
import type { FaultCounter } from './counts.js'
import type { FaultRuleSet } from './rules.js'

export interface FaultAdminOptions {
  adminToken: string
  rules: FaultRuleSet
  counter: FaultCounter
}

// Comparing digests keeps the comparison constant-time whatever the length of what was sent.
const digest = (text: string): Buffer => createHash('sha256').update(text).digest()

function bearerMatches (authorization: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected)
}

// A rule never needs more; a smaller limit than Fastify's 1 MiB keeps hostile posts cheap.
const BODY_LIMIT = 64 * 1024

/** Registered in its own encapsulated context: its compilers and auth hook stay off the host's routes. */
export async function faultAdminRoutes (app: FastifyInstance, options: FaultAdminOptions): Promise<void> {
  const { rules, counter } = options
  const expected = digest(options.adminToken)
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  // Rules are JSON only: a text body would otherwise reach validation as a string and read as a bad rule.
  app.removeContentTypeParser('text/plain')

  app.addHook('onRequest', async (request) => {
    if (!bearerMatches(request.headers.authorization, expected)) {
      throw new NdxpError('admin.unauthenticated', undefined, { headers: { 'www-authenticate': 'Bearer realm="ndxp-node"' } })
    }
  })

  // Faults never apply to the API that removes them.
  const config = { faults: false }
  const problems = { 400: problemSchema, 401: problemSchema }
  const admin = { tags: ['faults'], security: [{ bearer: [] }] }
  const routes = app.withTypeProvider<ZodTypeProvider>()

  routes.get('/_node/faults', {
    config,
    schema: { ...admin, summary: 'The fault rules in force', response: { 200: faultRuleListSchema, ...problems } },
  }, async () => ({ rules: rules.list() }))

  routes.post('/_node/faults', {
    config,
    bodyLimit: BODY_LIMIT,
    schema: { ...admin, summary: 'Add a fault rule', body: faultRuleInputSchema, response: { 201: faultRuleSchema, ...problems, 409: problemSchema, 413: problemSchema, 415: problemSchema } },
  }, async (request, reply) => {
    const rule = rules.add(request.body)
    request.log.info({ faultRule: rule }, 'fault rule added')
    return reply.code(201).header('location', `/_node/faults/${rule.id}`).send(rule)
  })

  routes.delete('/_node/faults', { config, schema: { ...admin, summary: 'Remove every rule and reset the counts', response: { 204: z.void(), 401: problemSchema } } }, async (request, reply) => {
    rules.clear()
    counter.reset()
    request.log.info('fault rules and counts cleared')
    return reply.code(204).send()
  })

  routes.get('/_node/faults/counts', {
    config,
    schema: { ...admin, summary: 'How often each rule fired', response: { 200: faultCountsSchema, ...problems } },
  }, async () => ({ counts: counter.list() }))

  routes.delete('/_node/faults/counts', { config, schema: { ...admin, summary: 'Reset the counts', response: { 204: z.void(), 401: problemSchema } } }, async (_request, reply) => {
    counter.reset()
    return reply.code(204).send()
  })

  routes.delete('/_node/faults/:id', {
    config,
    schema: { ...admin, summary: 'Remove one rule', params: z.object({ id: z.string().max(64) }), response: { 204: z.void(), ...problems, 404: problemSchema } },
  }, async (request, reply) => {
    const { id } = request.params
    if (!rules.remove(id)) throw new NdxpError('client.not_found', `No fault rule "${id}"; GET /_node/faults lists them.`)
    request.log.info({ faultRuleId: id }, 'fault rule deleted')
    return reply.code(204).send()
  })
}
