// What every registry admin route file shares: the typed app, the store, the change signal, and the
// documented problem answers, so each entity file holds only its own routes.
// For the OpenAPI keys (tags, summary, security) it adds to route schemas.
import type {} from '@fastify/swagger'
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { problemSchema } from '../../contracts/errors.js'
import { notFound, type RegistryStore } from '../../registry/store.js'

export type AdminApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>

export interface AdminContext {
  readonly store: RegistryStore
  /** Lets this hub's registry cache catch up with a change before the answer leaves. */
  readonly changed: (request: FastifyRequest) => Promise<void>
}

/** Problems any admin route can answer with, for the OpenAPI document. */
export const readProblems = { 400: problemSchema, 401: problemSchema, 404: problemSchema, 503: problemSchema } as const
export const writeProblems = { ...readProblems, 409: problemSchema, 413: problemSchema, 415: problemSchema } as const

/** OpenAPI decoration shared by every admin route. */
export const adminDoc = (tag: string, summary: string) => ({ tags: [tag], summary, security: [{ bearer: [] }] })

/** Lists are wrapped so that paging can be added later without breaking callers. */
export const listOf = <S extends z.ZodType>(item: S) => z.object({ items: z.array(item) })

/** A well-formed key that names nothing is a 404, not an empty 200. */
export function found<T> (value: T | undefined, what: string): T {
  if (value === undefined) throw notFound(what)
  return value
}

/** A Location path under /v1/registry; identifier parts may contain `?`, `(` and similar, so each is encoded. */
export const location = (...parts: string[]): string => `/v1/registry/${parts.map(encodeURIComponent).join('/')}`
