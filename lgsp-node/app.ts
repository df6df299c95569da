// An LGSP node as a Fastify app: hosts one member's services, validates every request and response
// against contracts/, serves health, OpenAPI, key enumeration and the overlay reset.
import Fastify, { type FastifyBaseLogger } from 'fastify'
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { contractSerializerCompiler } from '../common/contract-serializer.js'
import { z } from 'zod'
import { requireAdminToken } from '../common/admin-auth.js'
import { registerOpenApi } from '../common/openapi.js'
import { problemClientErrorHandler } from '../common/client-errors.js'
import problemPlugin, { sendProblem } from '../common/problem-plugin.js'
import { drainPlugin } from '../common/drain.js'
import { NdxpError, problemSchema } from '../contracts/errors.js'
import type { FaultRuleInput } from '../contracts/faults.js'
import type { NationalDataset } from './data/dataset.js'
import faultPlugin from './faults/plugin.js'
import type { Overlay } from './overlay.js'
import type { KeySource, NodeContext, NodeService, ZodApp } from './service.js'

export interface NodeAppOptions {
  readonly nodeId: string
  readonly memberCode: string
  readonly title: string
  readonly services: readonly NodeService[]
  readonly keySources?: (context: NodeContext) => readonly KeySource[]
  readonly dataset: NationalDataset
  readonly overlay: Overlay
  readonly adminToken: string
  readonly clock?: () => Date
  /** A pino logger (see common/logging.ts); silent when absent. */
  readonly logger?: FastifyBaseLogger
  /** Fault rules active from the start (more can be added through /_node/faults). */
  readonly faultRules?: readonly FaultRuleInput[]
}

const keysQuerySchema = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  count: z.coerce.number().int().min(1).max(10_000).default(100),
}).strict()

export async function buildNodeApp (options: NodeAppOptions): Promise<ZodApp> {
  const app = Fastify({
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger }),
    bodyLimit: 1024 * 1024,
    // No identifier is longer than 100 characters; longer segments and bad encodings get a clear 400.
    routerOptions: { maxParamLength: 100 },
    // What Node's HTTP parser refuses (broken framing, oversized headers) as problem+json, as the hub does.
    clientErrorHandler: problemClientErrorHandler(0),
    frameworkErrors: (error, _request, reply) => sendProblem(reply, new NdxpError('client.invalid_identifier',
      error.code === 'FST_ERR_BAD_URL'
        ? 'the path is not valid percent-encoding; encode each identifier with encodeURIComponent'
        : 'a path segment is longer than 100 characters; no identifier is that long')),
  }).withTypeProvider<ZodTypeProvider>()
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(contractSerializerCompiler)
  await app.register(problemPlugin)
  await app.register(drainPlugin)
  await registerOpenApi(app, {
    title: options.title,
    description: `LGSP node ${options.nodeId} of member ${options.memberCode}: services ${options.services.map((s) => s.code).join(', ')}`,
    version: '1.0.0',
  })
  const context: NodeContext = { dataset: options.dataset, overlay: options.overlay, clock: options.clock ?? (() => new Date()) }
  const keySources = new Map((options.keySources?.(context) ?? []).map((source) => [source.name, source]))
  const admin = requireAdminToken(options.adminToken)

  app.get('/healthz', {
    schema: { tags: ['operations'], summary: 'Liveness of this node', response: { 200: z.object({ status: z.literal('up'), nodeId: z.string(), memberCode: z.string() }) } },
  }, async () => ({ status: 'up' as const, nodeId: options.nodeId, memberCode: options.memberCode }))

  app.get('/_node/keys/:source', {
    schema: {
      summary: 'Existing keys of a dataset, in a stable order, for load tests',
      tags: ['node administration'],
      security: [{ bearer: [] }],
      params: z.object({ source: z.string().max(64) }),
      querystring: keysQuerySchema,
      response: { 200: z.object({ source: z.string(), size: z.number(), offset: z.number(), keys: z.array(z.string()) }), 400: problemSchema, 401: problemSchema, 404: problemSchema },
    },
    preHandler: admin,
  }, async (request) => {
    const source = keySources.get(request.params.source)
    if (source === undefined) throw new NdxpError('client.not_found', `No key source ${request.params.source}; this node has: ${[...keySources.keys()].join(', ')}`)
    const { offset, count } = request.query
    const keys: string[] = []
    for (let index = offset; index < Math.min(offset + count, source.size); index++) keys.push(source.keyAt(index))
    return { source: source.name, size: source.size, offset, keys }
  })

  app.delete('/_node/overlay', {
    schema: { summary: 'Drop every record written through this node', tags: ['node administration'], security: [{ bearer: [] }], response: { 200: z.object({ removed: z.number() }), 401: problemSchema } },
    preHandler: admin,
  }, async () => ({ removed: options.overlay.reset() }))

  await app.register(faultPlugin, { adminToken: options.adminToken, rules: options.faultRules ?? [], clock: () => context.clock().getTime() })
  for (const service of options.services) service.register(app, context)
  app.addHook('onClose', async () => { options.overlay.close() })
  return app
}
