// Provider nodes register and heartbeat here, authenticated by their owning member's agency key
// (not the admin token): a node can describe only itself, and only its owner can do that.
//
// A node calls `PUT /v1/nodes/:id` at start-up, then `POST /v1/nodes/:id/heartbeat` every
// `heartbeatIntervalMs` (the answer says how long: a third of `heartbeatStaleMs`, so one or two lost
// beats do not take it out of service). The hub treats a node whose last heartbeat is older than
// `heartbeatStaleMs` as down, as it does a node that reports `down`, and answers calls to its services
// with `server.provider_unreachable` until it beats `up` again.
// For the OpenAPI keys (tags, summary, security) it adds to route schemas.
import type {} from '@fastify/swagger'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { bearerToken } from '../common/admin-auth.js'
import { NdxpError, problemSchema } from '../contracts/errors.js'
import { nodeIdSchema, nodeSchema, nodeUpdateSchema, quote, type Member, type RegistryNode } from '../contracts/registry.js'
import { hashApiKey, isWellFormedApiKey } from '../registry/keys.js'
import type { RegistryStore } from '../registry/store.js'
import type { RegistryView } from './registry-view.js'

export interface NodesApiOptions {
  readonly store: RegistryStore
  /** The hub's registry cache: keys are looked up in its current view, as on the exchange path. */
  readonly registry: { readonly current: RegistryView }
  /** Called and awaited after every change: a new node, a new base URL, a heartbeat. */
  readonly onChange: () => Promise<void>
  readonly clock: () => Date
  /** The same value the exchange path uses to call a node down. */
  readonly heartbeatStaleMs: number
}

const paramsSchema = z.object({ id: nodeIdSchema })
const heartbeatSchema = z.strictObject({ health: z.enum(['up', 'down']) }).meta({ id: 'NodeHeartbeat' })
const heartbeatAnswerSchema = z.object({
  node: nodeSchema,
  heartbeatIntervalMs: z.number().int().describe('Send the next heartbeat within this many milliseconds'),
}).meta({ id: 'NodeHeartbeatAnswer' })
const problems = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 413: problemSchema, 415: problemSchema, 503: problemSchema }
const doc = (summary: string) => ({ tags: ['nodes'], summary, security: [{ bearer: [] }] })
// A base URL or a health word; nothing legitimate comes near this.
const BODY_LIMIT = 8 * 1024

/** The member whose (not revoked) key the request carries; 401 otherwise. */
function authenticate (view: RegistryView, authorization: string | undefined): Member {
  const key = bearerToken(authorization)
  const member = isWellFormedApiKey(key) ? view.memberByKeyHash(hashApiKey(key)) : undefined
  if (member === undefined) {
    throw new NdxpError('client.unauthenticated', 'Send `Authorization: Bearer <agency key>` with a key of the member that owns the node.',
      { headers: { 'www-authenticate': 'Bearer realm="ndxp"' } })
  }
  return member
}

function assertOwner (node: RegistryNode, member: Member): void {
  if (node.memberCode !== member.code) {
    throw new NdxpError('client.identity_mismatch', `Node ${quote(node.id)} belongs to member ${quote(node.memberCode)}, not to ${quote(member.code)} whose key was sent; use that member's key.`)
  }
}

export async function nodesApi (app: FastifyInstance, options: NodesApiOptions): Promise<void> {
  const { store } = options
  const heartbeatIntervalMs = Math.max(1000, Math.floor(options.heartbeatStaleMs / 3))
  const owners = new WeakMap<FastifyRequest, Member>()
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.removeContentTypeParser('text/plain')
  // Before body parsing: a caller without a key learns nothing about what a body should be.
  app.addHook('onRequest', async (request) => { owners.set(request, authenticate(options.registry.current, request.headers.authorization)) })
  const ownerOf = (request: FastifyRequest): Member => owners.get(request) as Member
  const changed = async (request: FastifyRequest): Promise<void> => {
    try {
      await options.onChange()
    } catch (error) {
      // Committed already; the cache's poll catches up. Failing here would only make the node retry.
      request.log.warn({ err: error }, 'node change stored but this hub could not refresh its cache yet')
    }
  }
  const routes = app.withTypeProvider<ZodTypeProvider>()

  routes.put('/v1/nodes/:id', {
    bodyLimit: BODY_LIMIT,
    schema: {
      ...doc("Register a node of the key's member, or change its base URL"),
      params: paramsSchema, body: nodeUpdateSchema, response: { 200: nodeSchema, 201: nodeSchema, ...problems, 409: problemSchema },
    },
  }, async (request, reply) => {
    const member = ownerOf(request)
    const { id } = request.params
    const { baseUrl } = request.body
    // The store, not the view: a node registered a moment ago on another replica must be found.
    const existing = await store.getNode(id)
    if (existing === undefined) {
      const node = await store.createNode({ id, memberCode: member.code, baseUrl })
      await changed(request)
      request.log.info({ nodeId: id, memberCode: member.code, baseUrl }, 'node registered')
      return reply.code(201).header('location', `/v1/registry/nodes/${id}`).send(node)
    }
    assertOwner(existing, member)
    // Nodes re-register at every start; an unchanged URL must not make every hub reload the registry.
    if (existing.baseUrl === baseUrl) return existing
    const node = await store.updateNode(id, { baseUrl })
    await changed(request)
    request.log.info({ nodeId: id, baseUrl }, 'node base URL changed')
    return node
  })

  routes.post('/v1/nodes/:id/heartbeat', {
    bodyLimit: BODY_LIMIT,
    schema: { ...doc('Report that a node is up or down'), params: paramsSchema, body: heartbeatSchema, response: { 200: heartbeatAnswerSchema, ...problems } },
  }, async (request) => {
    const member = ownerOf(request)
    const { id } = request.params
    const before = await store.getNode(id)
    if (before === undefined) throw new NdxpError('client.not_found', `Node ${quote(id)} does not exist; register it first with PUT /v1/nodes/${id}.`)
    assertOwner(before, member)
    const node = await store.recordHeartbeat(id, options.clock(), request.body.health)
    // Every beat: the exchange path judges staleness by the lastHeartbeatAt in this hub's view, so a
    // node coming back must be usable on the next request, not after the next poll.
    await changed(request)
    if (node.health !== before.health) request.log.info({ nodeId: id, health: node.health }, 'node health changed')
    return { node, heartbeatIntervalMs }
  })
}
