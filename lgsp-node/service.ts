// What a service hosted on an LGSP node is: a code, and a function that adds its routes to the node.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { NationalDataset } from './data/dataset.js'
import type { Overlay } from './overlay.js'

export type ZodApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>

export interface NodeContext {
  readonly dataset: NationalDataset
  readonly overlay: Overlay
  /** Injected so that tests can pin "today" (ages, validity of cards, future dates). */
  readonly clock: () => Date
}

export interface NodeService {
  /** The service code in X-Road identifiers, e.g. `citizens`; routes carry it as `config.service`. */
  readonly code: string
  readonly title: string
  /**
   * Adds the service's routes. Look-up handlers are plain functions returning the record: Fastify
   * sends a returned value directly, where an async handler costs a promise and a microtask turn on
   * every request.
   */
  readonly register: (app: ZodApp, context: NodeContext) => void
}

/** Enumerates existing keys, so load tests can draw valid identifiers without guessing. */
export interface KeySource {
  readonly name: string
  readonly size: number
  readonly keyAt: (index: number) => string
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The node service a route belongs to: fault injection scopes by it. */
    service?: string
  }
}
