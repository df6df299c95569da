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
  /** Documents what no route schema can say (a route that must not validate, a text answer). */
  amend?: (document: OpenApiDocument) => void
}

/** The parts of the generated document the amendments touch. */
export interface OpenApiDocument {
  paths?: Record<string, Record<string, OpenApiOperation>>
}

export interface OpenApiOperation {
  summary?: string
  description?: string
  parameters?: unknown[]
  security?: unknown[]
  responses?: Record<string, { description?: string, content?: Record<string, unknown>, headers?: Record<string, unknown> }>
  [key: string]: unknown
}

export async function registerOpenApi (app: FastifyInstance, { amend, ...info }: OpenApiInfo): Promise<void> {
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
    transformObject: (input) => {
      const document = problemContentType(jsonSchemaTransformObject(input))
      noContentIsNoBody(document as OpenApiDocument)
      amend?.(document as OpenApiDocument)
      return document
    },
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

/** A 204 has no body; the generator gives `z.void()` an application/json one that never comes. */
function noContentIsNoBody (document: OpenApiDocument): void {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      const noContent = operation.responses?.['204']
      if (noContent !== undefined) delete noContent.content
    }
  }
}

/** A problem answer, as every error of ours is sent. */
export function problemResponse (description: string): { description: string, content: Record<string, unknown> } {
  return { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } }
}
