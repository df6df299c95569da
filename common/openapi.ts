// OpenAPI 3 for any of our apps, generated from the zod route schemas (never written by hand),
// served at /docs (UI) and /docs/json.
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'

export interface OpenApiInfo {
  title: string
  description: string
  version: string
}

export async function registerOpenApi (app: FastifyInstance, info: OpenApiInfo): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Agency key (exchange) or admin token (management)' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
}
