// Admin routes for services, each addressed by its id parts: /v1/registry/services/:member/:subsystem/:service.
import { z } from 'zod'
import { serviceCreateSchema, serviceSchema, serviceUpdateSchema } from '../../contracts/registry.js'
import { describeService, serviceFilterSchema, serviceRefSchema } from '../../registry/store.js'
import { adminDoc, found, listOf, location, readProblems, writeProblems, type AdminApp, type AdminContext } from './context.js'

const TAG = 'registry: services'
const serviceParamsSchema = z.object(serviceRefSchema.shape)
const ONE = '/v1/registry/services/:memberCode/:subsystemCode/:serviceCode'

export function serviceRoutes (app: AdminApp, { store, changed }: AdminContext): void {
  app.get('/v1/registry/services', {
    schema: {
      ...adminDoc(TAG, 'List services, optionally of one member or on one node'),
      querystring: serviceFilterSchema, response: { 200: listOf(serviceSchema), ...readProblems },
    },
  }, async (request) => ({ items: await store.listServices(request.query) }))

  app.get(ONE, {
    schema: { ...adminDoc(TAG, 'Read a service'), params: serviceParamsSchema, response: { 200: serviceSchema, ...readProblems } },
  }, async (request) => found(await store.getService(request.params), describeService(request.params)))

  app.post('/v1/registry/services', {
    schema: {
      ...adminDoc(TAG, "Register a service of a member's subsystem on a node"),
      body: serviceCreateSchema, response: { 201: serviceSchema, ...writeProblems },
    },
  }, async (request, reply) => {
    const service = await store.createService(request.body)
    await changed(request)
    return reply.code(201)
      .header('location', location('services', service.memberCode, service.subsystemCode, service.serviceCode))
      .send(service)
  })

  app.patch(ONE, {
    schema: {
      ...adminDoc(TAG, 'Change a service (node, paths, timeout, endpoints, personal data, contract); its id never changes'),
      params: serviceParamsSchema, body: serviceUpdateSchema, response: { 200: serviceSchema, ...writeProblems },
    },
  }, async (request) => {
    const service = await store.updateService(request.params, request.body)
    await changed(request)
    return service
  })

  app.delete(ONE, {
    schema: { ...adminDoc(TAG, 'Delete a service and the grants to it'), params: serviceParamsSchema, response: { 204: z.void(), ...writeProblems } },
  }, async (request, reply) => {
    await store.deleteService(request.params)
    await changed(request)
    return reply.code(204).send()
  })
}
