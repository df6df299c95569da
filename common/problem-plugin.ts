// Turns every error a Fastify app can meet into an RFC 9457 problem+json answer with a stable code.
// Shared by the hub and the nodes so both speak the same error language.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod'
import { NdxpError, toProblem, type ErrorCode } from '../contracts/errors.js'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8'

export interface ProblemPluginOptions {
  /** Header naming the error code on every problem answer (the hub sets X-Road-Error). */
  errorHeader?: string
  /** A per-request transaction id to echo in problems, when the app assigns one. */
  transactionIdOf?: (request: FastifyRequest) => string | undefined
  /** Answers some unrouted requests itself (the hub: methods it does not relay on /r1/); undefined leaves them to the 404. */
  notFound?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined
}

export function sendProblem (reply: FastifyReply, error: NdxpError, options: ProblemPluginOptions = {}): FastifyReply {
  const request = reply.request
  const problem = toProblem(error, request.url, options.transactionIdOf?.(request))
  reply.code(error.statusCode).type(PROBLEM_CONTENT_TYPE).headers(error.headers)
  if (options.errorHeader !== undefined) reply.header(options.errorHeader, error.code)
  return reply.send(JSON.stringify(problem))
}

const fastifyCodeMap: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'client.payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'client.unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'client.bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'client.bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'client.bad_request',
}

/** Maps anything thrown in a handler or hook onto the catalogue. Exported for direct unit tests. */
export function normalizeError (error: FastifyError | Error): NdxpError {
  if (error instanceof NdxpError) return error
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as FastifyError).validationContext ?? 'request'
    const fieldErrors = error.validation.map((issue) => ({
      path: `${context}${issue.instancePath.replaceAll('/', '.')}`,
      message: issue.message ?? 'is invalid',
    }))
    const code: ErrorCode = context === 'params' ? 'client.invalid_identifier' : 'client.bad_request'
    const detail = fieldErrors.map((f) => `${f.path}: ${f.message}`).join('; ')
    return new NdxpError(code, detail, { fieldErrors })
  }
  const fastifyError = error as FastifyError
  const mapped = fastifyError.code === undefined ? undefined : fastifyCodeMap[fastifyError.code]
  if (mapped !== undefined) return new NdxpError(mapped, fastifyError.message)
  if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new NdxpError('client.bad_request', fastifyError.message)
  }
  return new NdxpError('server.internal', 'An unexpected error occurred; it has been logged.', { cause: error })
}

async function problemPlugin (app: FastifyInstance, options: ProblemPluginOptions): Promise<void> {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const normalized = normalizeError(error)
    if (normalized.code === 'server.internal') {
      // A response that breaks its own contract is our bug, not the caller's: log it loudly.
      const what = isResponseSerializationError(error) ? 'response broke its contract' : 'unhandled error'
      request.log.error({ err: error }, what)
    }
    return sendProblem(reply, normalized, options)
  })
  app.setNotFoundHandler((request, reply) => {
    const answered = options.notFound?.(request, reply)
    if (answered !== undefined) return answered
    return sendProblem(reply, new NdxpError('client.unknown_route', `No route ${request.method} ${request.url.split('?')[0]}; see /docs.`), options)
  })
}

export default fp(problemPlugin, { name: 'ndxp-problem', fastify: '5.x' })
