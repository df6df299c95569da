// Admin routes for agency API keys: the hub generates a key, the store keeps only its hash, and the
// key itself appears exactly once, in the creation answer.
import { z } from 'zod'
import { apiKeyCreateSchema, apiKeyIdSchema, apiKeyIssuedSchema, apiKeySchema, quote, type ApiKey } from '../../contracts/registry.js'
import { generateApiKey } from '../../registry/keys.js'
import type { RegistryStore } from '../../registry/store.js'
import { adminDoc, found, listOf, location, readProblems, writeProblems, type AdminApp, type AdminContext } from './context.js'
import { memberParamsSchema } from './members.js'

const TAG = 'registry: API keys'
/** What the admin API shows of a stored key: never the hash, which is as good as the key for a lookup table. */
const apiKeyInfoSchema = apiKeySchema.omit({ hash: true }).meta({ id: 'ApiKeyInfo' })
const keyParamsSchema = memberParamsSchema.extend({ id: apiKeyIdSchema })

const withoutHash = ({ hash: _hash, ...info }: ApiKey): z.infer<typeof apiKeyInfoSchema> => info

/** Key ids are global, so check the key belongs to the member the path names. */
async function memberKey (store: RegistryStore, memberCode: string, id: string): Promise<ApiKey> {
  const key = await store.getApiKey(id)
  return found(key?.memberCode === memberCode ? key : undefined, `API key ${quote(id)} of member ${quote(memberCode)}`)
}

export function apiKeyRoutes (app: AdminApp, { store, changed }: AdminContext): void {
  app.get('/v1/registry/members/:code/keys', {
    schema: { ...adminDoc(TAG, "List a member's keys (without the keys themselves)"), params: memberParamsSchema, response: { 200: listOf(apiKeyInfoSchema), ...readProblems } },
  }, async (request) => {
    const { code } = request.params
    found(await store.getMember(code), `Member ${quote(code)}`)
    return { items: (await store.listApiKeys(code)).map(withoutHash) }
  })

  app.get('/v1/registry/members/:code/keys/:id', {
    schema: { ...adminDoc(TAG, 'Read a key (without the key itself)'), params: keyParamsSchema, response: { 200: apiKeyInfoSchema, ...readProblems } },
  }, async (request) => withoutHash(await memberKey(store, request.params.code, request.params.id)))

  app.post('/v1/registry/members/:code/keys', {
    schema: {
      ...adminDoc(TAG, 'Issue a key to a member; the answer is the only place the key is ever shown'),
      params: memberParamsSchema, body: apiKeyCreateSchema, response: { 201: apiKeyIssuedSchema, ...writeProblems },
    },
  }, async (request, reply) => {
    const issued = generateApiKey()
    const stored = await store.createApiKey({ memberCode: request.params.code, hash: issued.hash, label: request.body.label })
    await changed(request)
    return reply.code(201)
      .header('location', location('members', stored.memberCode, 'keys', stored.id))
      // The body carries a secret: no cache along the way may keep it.
      .header('cache-control', 'no-store')
      .send({ ...withoutHash(stored), key: issued.key })
  })

  app.post('/v1/registry/members/:code/keys/:id/revoke', {
    schema: { ...adminDoc(TAG, 'Revoke a key (idempotent); it stops working on the next request'), params: keyParamsSchema, response: { 200: apiKeyInfoSchema, ...writeProblems } },
  }, async (request) => {
    const { code, id } = request.params
    await memberKey(store, code, id)
    const revoked = await store.revokeApiKey(id)
    await changed(request)
    return withoutHash(revoked)
  })

  app.delete('/v1/registry/members/:code/keys/:id', {
    schema: { ...adminDoc(TAG, 'Delete a key'), params: keyParamsSchema, response: { 204: z.void(), ...writeProblems } },
  }, async (request, reply) => {
    const { code, id } = request.params
    await memberKey(store, code, id)
    await store.deleteApiKey(id)
    await changed(request)
    return reply.code(204).send()
  })
}
