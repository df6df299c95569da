// The management API over the transaction log: GET /v1/transactions, /v1/transactions/{id}, /v1/stats.
// Read-your-writes: each answer first flushes the writer, so a client that just got an exchange answer
// finds its transaction here. If that flush fails the answer is served anyway, from what is stored.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { requireAdminToken } from '../../common/admin-auth.js'
import { NdxpError, problemSchema } from '../../contracts/errors.js'
import {
  statsQuerySchema, statsResultSchema, transactionPageSchema, transactionQuerySchema, transactionRecordSchema,
} from '../../contracts/transaction.js'
import type { TransactionStore } from './store.js'
import type { TransactionWriter } from './writer.js'

export interface TransactionRoutesOptions {
  store: TransactionStore
  /** When given, flushed before every answer (read-your-writes). */
  writer?: Pick<TransactionWriter, 'flush'>
  adminToken: string
  /** "Now" for stats without `to`; defaults to the store's own clock. */
  clock?: () => number
}

const problems = { 400: problemSchema, 401: problemSchema, 503: problemSchema }

/** A parameter given twice arrives as an array, which the schemas would reject with a puzzling message. */
async function singleValues (request: FastifyRequest): Promise<void> {
  const repeated = Object.entries(request.query as Record<string, unknown>).filter(([, value]) => Array.isArray(value)).map(([name]) => name)
  if (repeated.length > 0) {
    throw new NdxpError('client.bad_request', `give each query parameter once; repeated: ${repeated.join(', ')}`, {
      fieldErrors: repeated.map((name) => ({ path: `querystring.${name}`, message: 'is given more than once' })),
    })
  }
}

export async function transactionRoutes (app: FastifyInstance, options: TransactionRoutesOptions): Promise<void> {
  const { store, writer } = options
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const admin = requireAdminToken(options.adminToken)
  const security = [{ bearer: [] }]

  // The token is checked first (onRequest): a caller without it learns nothing, not even what is valid.
  // The flush comes after authentication, so that an anonymous caller cannot make the hub write.
  const caughtUp = async (request: FastifyRequest): Promise<void> => {
    if (writer === undefined) return
    await writer.flush().catch((error: unknown) => {
      request.log.warn({ err: error }, 'transaction writer could not flush before a read; answering from what is stored')
    })
  }

  routes.get('/v1/transactions', {
    schema: {
      summary: 'Transactions, newest first, filtered; page with nextCursor',
      tags: ['transactions'],
      security,
      querystring: transactionQuerySchema,
      response: { 200: transactionPageSchema, ...problems },
    },
    onRequest: admin,
    preValidation: singleValues,
    preHandler: caughtUp,
  }, async (request) => store.query(request.query))

  routes.get('/v1/transactions/:id', {
    schema: {
      summary: 'One transaction by the id the hub assigned',
      tags: ['transactions'],
      security,
      params: z.object({ id: z.string().min(1).max(100) }),
      response: { 200: transactionRecordSchema, 404: problemSchema, ...problems },
    },
    onRequest: admin,
    preValidation: singleValues,
    preHandler: caughtUp,
  }, async (request) => {
    const record = await store.get(request.params.id)
    if (record === undefined) {
      throw new NdxpError('client.not_found', `No transaction ${JSON.stringify(request.params.id)}. Transaction ids are the hub's: the X-Road-Id answer header when the request sent none, the transactionId of a problem answer, or the id of an item of GET /v1/transactions (whose messageId is the X-Road-Id a client chose).`)
    }
    return record
  })

  routes.get('/v1/stats', {
    schema: {
      summary: 'Counts and latency percentiles per minute, hour, day or in total, grouped by any of client, service, provider, status, outcome',
      description: 'Read from per-minute rollups, so the cost does not grow with the number of stored transactions. The range defaults to the hour before now and is widened to whole minutes; days are UTC.',
      tags: ['transactions'],
      security,
      querystring: statsQuerySchema,
      response: { 200: statsResultSchema, ...problems },
    },
    onRequest: admin,
    preValidation: singleValues,
    preHandler: caughtUp,
  }, async (request) => {
    const query = request.query
    const to = query.to ?? options.clock?.()
    return store.stats({ ...query, ...(to === undefined ? {} : { to }) })
  })
}
