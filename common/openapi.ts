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
    transformObject: (input) => problemContentType(jsonSchemaTransformObject(input)),
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
}

type Document = ReturnType<typeof jsonSchemaTransformObject>

/** Error answers are sent as application/problem+json (RFC 9457); the generator knows only application/json. */
function problemContentType (document: Document): Document {
  const paths = (document as { paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>> }).paths ?? {}
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const content = response.content
        if (Number(status) < 400 || content?.['application/json'] === undefined) continue
        content['application/problem+json'] = content['application/json']
        delete content['application/json']
      }
    }
  }
  return document
}
