// A small streaming HTTP forwarder on undici, for the two pieces that sit in front of the hub in a
// deployment: a round-robin load balancer over hub replicas (BalancedPool, which also steers away
// from a replica that fails) and a sample LGSP that adds its agency's X-Road identity to calls from
// the province's own systems. Bodies stream both ways; nothing is buffered or parsed.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { BalancedPool, Pool, type Dispatcher } from 'undici'

export interface ForwardProxyOptions {
  /** One upstream origin, or several to balance over. */
  readonly upstreams: readonly string[]
  /** Headers set on every forwarded request (overriding what the caller sent). */
  readonly setHeaders?: Readonly<Record<string, string>>
  /** Shown in the `via` header and in error bodies. */
  readonly name: string
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
  const dispatcher: Dispatcher = options.upstreams.length === 1
    ? new Pool(options.upstreams[0] as string, poolOptions)
    : new BalancedPool([...options.upstreams], poolOptions)
  const server = createServer((request, response) => { forward(dispatcher, options, request, response) })
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
      await dispatcher.close()
    },
  }
}

function forward (dispatcher: Dispatcher, options: ForwardProxyOptions, request: IncomingMessage, response: ServerResponse): void {
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value
  }
  Object.assign(headers, options.setHeaders)
  headers.via = `1.1 ${options.name}`
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD'
  dispatcher.stream({
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
  }).catch((error: unknown) => { answerError(response, options.name, error) })
}

/** The upstream could not be reached or broke off: a problem+json 502/504 when nothing was sent yet. */
function answerError (response: ServerResponse, name: string, error: unknown): void {
  if (response.headersSent) {
    response.destroy()
    return
  }
  const code = (error as { code?: string }).code ?? ''
  const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
  const status = timedOut ? 504 : 502
  const type = timedOut ? 'server.provider_timeout' : 'server.provider_unreachable'
  response.writeHead(status, { 'content-type': 'application/problem+json' })
  response.end(JSON.stringify({
    type, title: timedOut ? 'Upstream timed out' : 'Upstream unreachable', status,
    detail: `${name} could not get an answer from its upstream (${code === '' ? 'error' : code}); check that the hub replicas run.`,
  }))
}
