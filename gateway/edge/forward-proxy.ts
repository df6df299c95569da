// A small streaming HTTP forwarder on undici, for the two pieces that sit in front of the hub in a
// deployment: a round-robin load balancer over hub replicas (ReplicaSet: a replica that refuses
// connections is set aside until it answers again, and a request none of which was read yet is sent
// to another) and a sample
// LGSP that adds its agency's X-Road identity to exchanges from the province's own systems, and to
// nothing else. Bodies stream both ways; nothing is buffered or parsed.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Dispatcher } from 'undici'
import { ReplicaSet, type Replica } from './replica-set.js'

export interface ForwardProxyOptions {
  /** One upstream origin, or several to balance over. */
  readonly upstreams: readonly string[]
  /** Headers set on every forwarded request (overriding what the caller sent). */
  readonly setHeaders?: Readonly<Record<string, string>>
  /** Shown in the `via` header and in error bodies. */
  readonly name: string
  /**
   * Only paths under this prefix are forwarded; the rest get a 404 problem. An LGSP lends its
   * agency's credential to exchanges (/r1/), never to the hub's management API.
   */
  readonly onlyUnder?: { readonly prefix: string, readonly why: string }
  readonly timeoutMs?: number
}

export interface RunningProxy {
  readonly url: string
  readonly server: Server
  close: () => Promise<void>
}

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are not forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host'])

export async function startForwardProxy (options: ForwardProxyOptions, host: string, port: number): Promise<RunningProxy> {
  if (options.upstreams.length === 0) throw new RangeError('at least one upstream is needed')
  // Throws on a malformed origin before anything listens.
  for (const upstream of options.upstreams) new URL(upstream)
  const timeout = options.timeoutMs ?? 60_000
  const poolOptions = { connections: 256, headersTimeout: timeout, bodyTimeout: timeout }
  const replicas = new ReplicaSet(options.upstreams, poolOptions)
  const server = createServer((request, response) => { forward(replicas, options, request, response) })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => { server.off('error', reject); resolve() })
  })
  const address = server.address() as AddressInfo
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    server,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      })
      await replicas.close()
    },
  }
}

/** Connection failures that happen before a replica has read anything of the request. */
const NOT_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH'])

function forward (replicas: ReplicaSet, options: ForwardProxyOptions, request: IncomingMessage, response: ServerResponse): void {
  const only = options.onlyUnder
  if (only !== undefined && !(request.url ?? '').startsWith(only.prefix)) {
    answerProblem(response, 404, 'client.unknown_route', 'Unknown route', `${options.name} forwards only ${only.prefix}…: ${only.why}`)
    request.resume()
    return
  }
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value
  }
  Object.assign(headers, options.setHeaders)
  headers.via = `1.1 ${options.name}`
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD'
  // A replica that refused the connection read nothing: another may take the request, body and all.
  let retriesLeft = replicas.size - 1
  const attempt = (): void => {
    const replica: Replica = replicas.pick()
    replica.pool.stream({
      path: request.url ?? '/',
      method: request.method as Dispatcher.HttpMethod,
      headers,
      body: hasBody ? request : null,
      opaque: response,
    }, ({ statusCode, headers: upstreamHeaders, opaque }) => {
      const out = opaque as ServerResponse
      for (const [name, value] of Object.entries(upstreamHeaders)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) out.setHeader(name, value)
      }
      out.statusCode = statusCode
      return out
    }).catch((error: unknown) => {
      const refused = NOT_SENT.has((error as { code?: string }).code ?? '')
      if (refused) replicas.markDown(replica)
      if (refused && !response.headersSent && !request.readableDidRead && retriesLeft-- > 0) return attempt()
      answerError(response, options.name, error)
    })
  }
  attempt()
}

/** The upstream could not be reached or broke off: a problem+json 502/504 when nothing was sent yet. */
function answerError (response: ServerResponse, name: string, error: unknown): void {
  if (response.headersSent) {
    response.destroy()
    return
  }
  const code = (error as { code?: string }).code ?? ''
  const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
  answerProblem(response, timedOut ? 504 : 502, timedOut ? 'server.provider_timeout' : 'server.provider_unreachable',
    timedOut ? 'Upstream timed out' : 'Upstream unreachable',
    `${name} could not get an answer from its upstream (${code === '' ? 'error' : code}); check that the hub replicas run.`)
}

function answerProblem (response: ServerResponse, status: number, type: string, title: string, detail: string): void {
  response.writeHead(status, { 'content-type': 'application/problem+json' })
  response.end(JSON.stringify({ type, title, status, detail }))
}
