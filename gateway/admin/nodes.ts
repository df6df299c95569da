// Admin routes for provider nodes. Nodes also register themselves (gateway/nodes-api.ts); this is
// the administrator's view, which may act for any member.
import { z } from 'zod'
import { memberCodeSchema, nodeCreateSchema, nodeIdSchema, nodeSchema, nodeUpdateSchema, quote } from '../../contracts/registry.js'
import { adminDoc, found, listOf, location, readProblems, writeProblems, type AdminApp, type AdminContext } from './context.js'

const TAG = 'registry: nodes'
const nodeParamsSchema = z.object({ id: nodeIdSchema })
const nodeQuerySchema = z.strictObject({ memberCode: memberCodeSchema.optional() })

export function nodeRoutes (app: AdminApp, { store, changed }: AdminContext): void {
  app.get('/v1/registry/nodes', {
    schema: { ...adminDoc(TAG, 'List nodes, optionally of one member'), querystring: nodeQuerySchema, response: { 200: listOf(nodeSchema), ...readProblems } },
  }, async (request) => ({ items: await store.listNodes(request.query.memberCode) }))

  app.get('/v1/registry/nodes/:id', {
    schema: { ...adminDoc(TAG, 'Read a node with its last heartbeat'), params: nodeParamsSchema, response: { 200: nodeSchema, ...readProblems } },
  }, async (request) => found(await store.getNode(request.params.id), `Node ${quote(request.params.id)}`))

  app.post('/v1/registry/nodes', {
    schema: { ...adminDoc(TAG, 'Create a node for a member'), body: nodeCreateSchema, response: { 201: nodeSchema, ...writeProblems } },
  }, async (request, reply) => {
    const node = await store.createNode(request.body)
    await changed(request)
    return reply.code(201).header('location', location('nodes', node.id)).send(node)
  })

  app.patch('/v1/registry/nodes/:id', {
    schema: { ...adminDoc(TAG, "Change a node's base URL"), params: nodeParamsSchema, body: nodeUpdateSchema, response: { 200: nodeSchema, ...writeProblems } },
  }, async (request) => {
    const node = await store.updateNode(request.params.id, request.body)
    await changed(request)
    return node
  })

  app.delete('/v1/registry/nodes/:id', {
    schema: { ...adminDoc(TAG, 'Delete a node that hosts no services'), params: nodeParamsSchema, response: { 204: z.void(), ...writeProblems } },
  }, async (request, reply) => {
    await store.deleteNode(request.params.id)
    await changed(request)
    return reply.code(204).send()
  })
}
