// The one catalogue of error codes the hub and the nodes produce, and the RFC 9457 body they carry.
// Every code is stable: integrators match on it. Each entry says how to fix the problem.
import { z } from 'zod'

interface ErrorDefinition {
  readonly status: number
  readonly title: string
  /** Default advice; a thrown error's own detail may be more specific. */
  readonly fix: string
}

export const errorCatalogue = {
  'client.bad_request': { status: 400, title: 'Bad request', fix: 'Correct the request as the detail says and send it again.' },
  'client.invalid_identifier': { status: 400, title: 'Malformed identifier', fix: 'Send the identifier in the format the detail describes.' },
  'client.unauthenticated': { status: 401, title: 'Missing or unknown credential', fix: 'Send `Authorization: Bearer <agency key>` with a key issued to your member.' },
  'client.identity_mismatch': { status: 403, title: 'Claimed client does not belong to the credential', fix: 'Set X-Road-Client to a subsystem of the member that owns the key.' },
  'client.access_denied': { status: 403, title: 'No access grant', fix: 'Ask the service owner (or the hub admin) for a grant to your client subsystem.' },
  'client.not_found': { status: 404, title: 'No such record', fix: 'Check the identifier; a well-formed identifier may still not exist.' },
  'client.unknown_service': { status: 404, title: 'Unknown service', fix: 'Check the service identifier against GET /v1/registry/services.' },
  'client.unknown_route': { status: 404, title: 'Unknown route', fix: 'See /docs for the routes this server offers.' },
  'client.method_not_allowed': { status: 405, title: 'Method not allowed', fix: 'Use a method this endpoint accepts; see /docs.' },
  'client.conflict': { status: 409, title: 'Conflicts with an existing record', fix: 'The record already exists; look it up instead of creating it again.' },
  'client.request_timeout': { status: 408, title: 'Request not received in time', fix: 'Send the whole request (headers and body) within the time the detail gives.' },
  'client.payload_too_large': { status: 413, title: 'Request body too large', fix: 'Send a smaller body; the limit is in the detail.' },
  'client.unsupported_media_type': { status: 415, title: 'Unsupported content type', fix: 'Send the body as application/json.' },
  'client.rate_limited': { status: 429, title: 'Rate limit exceeded', fix: 'Wait for Retry-After seconds, or ask for a larger quota.' },
  'client.headers_too_large': { status: 431, title: 'Request headers too large', fix: 'Send at most 16 KiB of request line and headers.' },
  'admin.unauthenticated': { status: 401, title: 'Missing or wrong admin token', fix: 'Send `Authorization: Bearer <admin token>` as configured by NDXP_ADMIN_TOKEN.' },
  'server.internal': { status: 500, title: 'Internal error', fix: 'Retry; if it persists, report it with the transactionId.' },
  'server.provider_unreachable': { status: 502, title: 'Provider unreachable', fix: 'The provider node refused or dropped the connection; check that it runs.' },
  'server.provider_circuit_open': { status: 503, title: 'Provider circuit open', fix: 'The provider failed repeatedly; the hub probes it and resumes on its own. Retry later.' },
  'server.store_unavailable': { status: 503, title: 'Store unavailable', fix: 'The hub cannot reach its store; retry once the store is back.' },
  'server.service_down': { status: 503, title: 'Service down', fix: 'The service is down (a fault was injected, or it is in maintenance); retry later.' },
  'server.provider_timeout': { status: 504, title: 'Provider timed out', fix: 'The provider did not answer within the service timeout; retry or raise the timeout.' },
} as const satisfies Record<string, ErrorDefinition>

export type ErrorCode = keyof typeof errorCatalogue
export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[]

/** RFC 9457 problem details; `type` is the stable code rather than a URL so clients can switch on it. */
export const problemSchema = z.object({
  type: z.enum(errorCodes as [ErrorCode, ...ErrorCode[]]),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string(),
  instance: z.string().optional(),
  transactionId: z.string().optional(),
  /** Per-field problems for validation errors: where, and what is wrong there. */
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
}).meta({ id: 'Problem' })
export type Problem = z.infer<typeof problemSchema>

/** An error with a catalogue code. Thrown anywhere, turned into problem+json at the edge. */
export class NdxpError extends Error {
  readonly code: ErrorCode
  readonly statusCode: number
  readonly fieldErrors: Problem['errors']
  readonly headers: Record<string, string>

  constructor (code: ErrorCode, detail?: string, options: { fieldErrors?: Problem['errors'], headers?: Record<string, string>, cause?: unknown } = {}) {
    const definition = errorCatalogue[code]
    super(detail ?? definition.fix, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'NdxpError'
    this.code = code
    this.statusCode = definition.status
    this.fieldErrors = options.fieldErrors
    this.headers = options.headers ?? {}
  }
}

export function toProblem (error: NdxpError, instance?: string, transactionId?: string): Problem {
  const problem: Problem = {
    type: error.code,
    title: errorCatalogue[error.code].title,
    status: error.statusCode,
    detail: error.message,
  }
  if (instance !== undefined) problem.instance = instance
  if (transactionId !== undefined) problem.transactionId = transactionId
  if (error.fieldErrors !== undefined) problem.errors = error.fieldErrors
  return problem
}
