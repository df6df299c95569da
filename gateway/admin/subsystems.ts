// Admin routes for a member's subsystems, addressed under the member that owns them.
import { z } from 'zod'
import { quote, subsystemCodeSchema, subsystemCreateSchema, subsystemSchema, subsystemUpdateSchema } from '../../contracts/registry.js'
import { describeSubsystem } from '../../registry/store.js'
import { adminDoc, found, listOf, location, readProblems, writeProblems, type AdminApp, type AdminContext } from './context.js'
import { memberParamsSchema } from './members.js'

const TAG = 'registry: subsystems'
const subsystemParamsSchema = memberParamsSchema.extend({ subsystem: subsystemCodeSchema })
/** The member comes from the path, so the body names only the subsystem. */
const subsystemBodySchema = subsystemCreateSchema.omit({ memberCode: true }).meta({ id: 'SubsystemCreateBody' })

export function subsystemRoutes (app: AdminApp, { store, changed }: AdminContext): void {
  app.get('/v1/registry/members/:code/subsystems', {
    schema: { ...adminDoc(TAG, "List a member's subsystems"), params: memberParamsSchema, response: { 200: listOf(subsystemSchema), ...readProblems } },
  }, async (request) => {
    const { code } = request.params
    // An empty list would hide a typo in the member code.
    found(await store.getMember(code), `Member ${quote(code)}`)
    return { items: await store.listSubsystems(code) }
  })

  app.get('/v1/registry/members/:code/subsystems/:subsystem', {
    schema: { ...adminDoc(TAG, 'Read a subsystem'), params: subsystemParamsSchema, response: { 200: subsystemSchema, ...readProblems } },
  }, async (request) => {
    const { code, subsystem } = request.params
    return found(await store.getSubsystem(code, subsystem), describeSubsystem({ memberCode: code, subsystemCode: subsystem }))
  })

  app.post('/v1/registry/members/:code/subsystems', {
    schema: {
      ...adminDoc(TAG, 'Create a subsystem of a member'),
      params: memberParamsSchema, body: subsystemBodySchema, response: { 201: subsystemSchema, ...writeProblems },
    },
  }, async (request, reply) => {
    const subsystem = await store.createSubsystem({ ...request.body, memberCode: request.params.code })
    await changed(request)
    return reply.code(201).header('location', location('members', subsystem.memberCode, 'subsystems', subsystem.code)).send(subsystem)
  })

  app.patch('/v1/registry/members/:code/subsystems/:subsystem', {
    schema: {
      ...adminDoc(TAG, 'Rename a subsystem'),
      params: subsystemParamsSchema, body: subsystemUpdateSchema, response: { 200: subsystemSchema, ...writeProblems },
    },
  }, async (request) => {
    const subsystem = await store.updateSubsystem(request.params.code, request.params.subsystem, request.body)
    await changed(request)
    return subsystem
  })

  app.delete('/v1/registry/members/:code/subsystems/:subsystem', {
    schema: {
      ...adminDoc(TAG, 'Delete a subsystem with its services and every grant to or from it'),
      params: subsystemParamsSchema, response: { 204: z.void(), ...writeProblems },
    },
  }, async (request, reply) => {
    await store.deleteSubsystem(request.params.code, request.params.subsystem)
    await changed(request)
    return reply.code(204).send()
  })
}
