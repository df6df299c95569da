// The exchange route in the hub's OpenAPI document. The route itself carries no schema: Fastify would
// validate against it and refuse a request before the hub could answer it in its own terms and record
// it. So it is documented here, as X-Road documents its REST message protocol.
import { problemResponse, type OpenApiDocument, type OpenApiOperation } from '../../common/openapi.js'
import { METHODS } from './plugin.js'

const SERVICE = '/r1/{instance}/{memberClass}/{memberCode}/{subsystemCode}/{serviceCode}'

const segment = (name: string, description: string, example: string): unknown => ({ in: 'path', name, required: true, description, schema: { type: 'string' }, example })
const header = (name: string, required: boolean, description: string, example?: string): unknown => ({ in: 'header', name, required, description, schema: { type: 'string' }, ...(example === undefined ? {} : { example }) })

const parameters = [
  segment('instance', 'X-Road instance of the service', 'VN'),
  segment('memberClass', 'member class of the provider', 'GOV'),
  segment('memberCode', "the provider's member code", '000.00.00.G01'),
  segment('subsystemCode', "the provider's subsystem", 'CSDLQGDC'),
  segment('serviceCode', 'the service', 'citizens'),
  header('X-Road-Client', true, 'the calling subsystem, which must belong to the key\'s member: INSTANCE/CLASS/MEMBER/SUBSYSTEM', 'VN/GOV/000.00.00.H49/DVCTINH'),
  header('X-Road-Id', false, 'your id for the message (at most 200 characters); the hub assigns a UUIDv7 without one'),
  header('X-Road-UserId', false, 'the official acting; recorded only as a keyed hash'),
  header('X-Road-Issue', false, 'the case or purpose this call belongs to (personal numbers in it are masked in the record)'),
  header('X-Road-Represented-Party', false, 'the party represented, passed to the provider'),
]

const roadHeaders = {
  'X-Road-Id': { description: 'the message id (yours, or the one the hub assigned)', schema: { type: 'string' } },
  'X-Road-Client': { description: 'the calling subsystem', schema: { type: 'string' } },
  'X-Road-Service': { description: 'the service called', schema: { type: 'string' } },
  'X-Road-Request-Hash': { description: 'base64(SHA-512) of the request as the hub relayed it', schema: { type: 'string' } },
}

function operation (method: string, withPath: boolean): OpenApiOperation {
  return {
    summary: `${method} through the hub to a registered service${withPath ? ', at a path of the service' : ''}`,
    description: 'The X-Road REST message protocol: authenticated by the agency key, the client checked against it, the grant, the ' +
      'rate limit, then relayed to the provider node; the answer is the provider\'s, passed through unchanged (its status, ' +
      'headers and body), with the X-Road headers added. Every exchange is recorded. An error of the hub itself is ' +
      'application/problem+json with `X-Road-Error: <code>`.',
    tags: ['exchange'],
    security: [{ bearer: [] }],
    parameters: withPath
      ? [...parameters.slice(0, 5), segment('servicePath', 'the rest of the path, one or more segments as the service defines them; send its slashes as they are (do not percent-encode them)', '012099676007'), ...parameters.slice(5)]
      : parameters,
    ...(['POST', 'PUT', 'PATCH'].includes(method) ? { requestBody: { description: 'passed to the provider unchanged (at most 10 MiB)', content: { '*/*': { schema: {} } } } } : {}),
    responses: {
      200: { description: "the provider's answer (any status it gives is passed through, 4xx and 5xx included)", headers: roadHeaders, content: { '*/*': { schema: {} } } },
      400: problemResponse('client.bad_request: a malformed path, X-Road-Client or header'),
      401: problemResponse('client.unauthenticated: no agency key, or an unknown or revoked one'),
      403: problemResponse('client.identity_mismatch (X-Road-Client is not the key\'s) or client.access_denied (no grant)'),
      404: problemResponse('client.unknown_service: no such service or endpoint'),
      405: problemResponse('client.method_not_allowed'),
      408: problemResponse('client.request_timeout: the request did not arrive in time'),
      413: problemResponse('client.payload_too_large'),
      429: problemResponse('client.rate_limited (with Retry-After, RateLimit and RateLimit-Policy)'),
      431: problemResponse('client.headers_too_large'),
      502: problemResponse('server.provider_unreachable'),
      503: problemResponse('server.provider_circuit_open or server.store_unavailable'),
      504: problemResponse('server.provider_timeout'),
    },
  }
}

/** Replaces the bare `/r1/{*}` entry Fastify generates with the exchange as callers must send it. */
export function documentExchange (document: OpenApiDocument): void {
  const paths = document.paths ??= {}
  for (const key of Object.keys(paths)) if (key.startsWith('/r1/')) Reflect.deleteProperty(paths, key)
  for (const [path, withPath] of [[SERVICE, false], [`${SERVICE}/{servicePath}`, true]] as const) {
    paths[path] = Object.fromEntries(METHODS.map((method) => [method.toLowerCase(), operation(method, withPath)]))
  }
}
