// Admin routes for members (agencies): list, read, create, change, delete (which cascades).
import { z } from 'zod'
import { memberCodeSchema, memberCreateSchema, memberSchema, memberUpdateSchema, quote } from '../../contracts/registry.js'
import { adminDoc, found, listOf, location, readProblems, writeProblems, type AdminApp, type AdminContext } from './context.js'

const TAG = 'registry: members'
export const memberParamsSchema = z.object({ code: memberCodeSchema })

export function memberRoutes (app: AdminApp, { store, changed }: AdminContext): void {
  app.get('/v1/registry/members', {
    schema: { ...adminDoc(TAG, 'List members'), response: { 200: listOf(memberSchema), ...readProblems } },
  }, async () => ({ items: await store.listMembers() }))

  app.get('/v1/registry/members/:code', {
    schema: { ...adminDoc(TAG, 'Read a member'), params: memberParamsSchema, response: { 200: memberSchema, ...readProblems } },
  }, async (request) => found(await store.getMember(request.params.code), `Member ${quote(request.params.code)}`))

  app.post('/v1/registry/members', {
    schema: { ...adminDoc(TAG, 'Create a member'), body: memberCreateSchema, response: { 201: memberSchema, ...writeProblems } },
  }, async (request, reply) => {
    const member = await store.createMember(request.body)
    await changed(request)
    return reply.code(201).header('location', location('members', member.code)).send(member)
  })

  app.patch('/v1/registry/members/:code', {
    schema: {
      ...adminDoc(TAG, 'Change a member (name, kind, rate limit); code and class never change'),
      params: memberParamsSchema, body: memberUpdateSchema, response: { 200: memberSchema, ...writeProblems },
    },
  }, async (request) => {
    const member = await store.updateMember(request.params.code, request.body)
    await changed(request)
    return member
  })

  app.delete('/v1/registry/members/:code', {
    schema: {
      ...adminDoc(TAG, 'Delete a member with its subsystems, keys, nodes, services and grants'),
      params: memberParamsSchema, response: { 204: z.void(), ...writeProblems },
    },
  }, async (request, reply) => {
    await store.deleteMember(request.params.code)
    await changed(request)
    return reply.code(204).send()
  })
}
