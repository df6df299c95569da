// Admin routes for access grants (client subsystem → service), filterable by X-Road id strings.
import { z } from 'zod'
import {
  formatClientId, formatServiceId, grantCreateSchema, grantSchema, grantUpdateSchema, parseClientId, parseServiceId, quote,
  type Grant,
} from '../../contracts/registry.js'
import type { GrantFilter } from '../../registry/store.js'
import { adminDoc, found, listOf, location, readProblems, writeProblems, type AdminApp, type AdminContext } from './context.js'

const TAG = 'registry: grants'
const grantParamsSchema = z.object({ id: grantSchema.shape.id })
const grantQuerySchema = z.strictObject({
  client: z.string().max(400).optional().describe('Client subsystem id, e.g. VN/GOV/000.00.00.H49/DVCTINH'),
  service: z.string().max(400).optional().describe('Service id, e.g. VN/GOV/000.00.00.G01/CSDLQGDC/citizens'),
})

/**
 * The store filters by member and subsystem; instance and class are compared here on the formatted
 * ids, so that a filter naming another instance or class matches nothing rather than look-alikes.
 */
async function listGrants (context: AdminContext, query: z.infer<typeof grantQuerySchema>): Promise<Grant[]> {
  const client = query.client === undefined ? undefined : parseClientId(query.client)
  const service = query.service === undefined ? undefined : parseServiceId(query.service)
  const filter: GrantFilter = {}
  if (client !== undefined) filter.client = { memberCode: client.memberCode, subsystemCode: client.subsystemCode }
  if (service !== undefined) filter.service = { memberCode: service.memberCode, subsystemCode: service.subsystemCode, serviceCode: service.serviceCode }
  const grants = await context.store.listGrants(filter)
  return grants.filter((g) =>
    (client === undefined || formatClientId(g.client) === formatClientId(client)) &&
    (service === undefined || formatServiceId(g.service) === formatServiceId(service)))
}

export function grantRoutes (app: AdminApp, context: AdminContext): void {
  const { store, changed } = context
  app.get('/v1/registry/grants', {
    schema: { ...adminDoc(TAG, 'List grants, optionally of one client and/or to one service'), querystring: grantQuerySchema, response: { 200: listOf(grantSchema), ...readProblems } },
  }, async (request) => ({ items: await listGrants(context, request.query) }))

  app.get('/v1/registry/grants/:id', {
    schema: { ...adminDoc(TAG, 'Read a grant'), params: grantParamsSchema, response: { 200: grantSchema, ...readProblems } },
  }, async (request) => found(await store.getGrant(request.params.id), `Grant ${quote(request.params.id)}`))

  app.post('/v1/registry/grants', {
    schema: {
      ...adminDoc(TAG, 'Grant a client subsystem access to a service, optionally narrowed to endpoints and with its own quota'),
      body: grantCreateSchema, response: { 201: grantSchema, ...writeProblems },
    },
  }, async (request, reply) => {
    const grant = await store.createGrant(request.body)
    await changed(request)
    return reply.code(201).header('location', location('grants', grant.id)).send(grant)
  })

  app.patch('/v1/registry/grants/:id', {
    schema: {
      ...adminDoc(TAG, "Change a grant's endpoints or quota (null clears either)"),
      params: grantParamsSchema, body: grantUpdateSchema, response: { 200: grantSchema, ...writeProblems },
    },
  }, async (request) => {
    const grant = await store.updateGrant(request.params.id, request.body)
    await changed(request)
    return grant
  })

  app.delete('/v1/registry/grants/:id', {
    schema: { ...adminDoc(TAG, 'Revoke access: delete a grant'), params: grantParamsSchema, response: { 204: z.void(), ...writeProblems } },
  }, async (request, reply) => {
    await store.deleteGrant(request.params.id)
    await changed(request)
    return reply.code(204).send()
  })
}
