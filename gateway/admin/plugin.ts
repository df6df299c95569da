// The registry admin API under /v1/registry, guarded by the admin token: members, subsystems, API keys,
// nodes, services and grants. Every change is followed by a refresh of this hub's registry cache.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { requireAdminToken } from '../../common/admin-auth.js'
import type { RegistryStore } from '../../registry/store.js'
import { apiKeyRoutes } from './api-keys.js'
import type { AdminContext } from './context.js'
import { grantRoutes } from './grants.js'
import { memberRoutes } from './members.js'
import { nodeRoutes } from './nodes.js'
import { serviceRoutes } from './services.js'
import { subsystemRoutes } from './subsystems.js'

export interface RegistryAdminOptions {
  readonly store: RegistryStore
  readonly adminToken: string
  /** Called and awaited after every successful change; the hub passes `() => registryCache.refresh()`. */
  readonly onChange: () => Promise<void>
}

// The largest legitimate body is a service with 200 endpoints of long patterns (~110 KB); anything
// beyond that is refused before it is parsed.
const BODY_LIMIT = 256 * 1024

/** Register without a prefix: routes carry their full /v1/registry paths. Encapsulated: hooks stay here. */
export async function registryAdminRoutes (app: FastifyInstance, options: RegistryAdminOptions): Promise<void> {
  if (typeof options.adminToken !== 'string' || options.adminToken === '') {
    throw new Error('The registry admin API needs an admin token: pass adminToken (NDXP_ADMIN_TOKEN) when registering it.')
  }
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  // JSON only: a text body would otherwise reach validation as a string and read as a malformed record.
  app.removeContentTypeParser('text/plain')
  // onRequest, not preHandler: a caller without the token learns nothing, not even what a body should look like.
  app.addHook('onRequest', requireAdminToken(options.adminToken))
  app.addHook('onRoute', (route) => { route.bodyLimit ??= BODY_LIMIT })

  const context: AdminContext = {
    store: options.store,
    changed: async (request: FastifyRequest) => {
      try {
        await options.onChange()
      } catch (error) {
        // The change is committed; failing the answer would make the caller retry into a conflict.
        // The cache's own poll picks the change up once the store answers again.
        request.log.warn({ err: error }, 'registry changed but this hub could not refresh its cache yet')
      }
    },
  }
  const routes = app.withTypeProvider<ZodTypeProvider>()
  memberRoutes(routes, context)
  subsystemRoutes(routes, context)
  apiKeyRoutes(routes, context)
  nodeRoutes(routes, context)
  serviceRoutes(routes, context)
  grantRoutes(routes, context)
}
