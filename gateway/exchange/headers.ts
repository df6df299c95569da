// Which headers cross the hub: hop-by-hop ones, Host, User-Agent, Server and the hub credential do
// not; X-Road headers, Content-Type, Accept and custom headers do (X-Road's own rules).
import type { IncomingHttpHeaders } from 'node:http'

const NOT_FORWARDED = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'host', 'user-agent', 'authorization', 'expect', 'http2-settings',
])
const NOT_RETURNED = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'server', 'date',
])

function namedByConnection (connection: string | string[] | undefined): Set<string> | undefined {
  // Nearly every request says just keep-alive or close, which are not header names: no Set to build.
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return undefined
  const value = Array.isArray(connection) ? connection.join(',') : connection
  return new Set(value.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== ''))
}

export function requestHeadersForProvider (headers: IncomingHttpHeaders, messageId: string): Record<string, string | string[]> {
  const extra = namedByConnection(headers.connection)
  const forwarded: Record<string, string | string[]> = {}
  for (const name in headers) {
    const value = headers[name]
    if (value === undefined || NOT_FORWARDED.has(name) || extra?.has(name) === true) continue
    forwarded[name] = value
  }
  forwarded['x-road-id'] = messageId
  return forwarded
}

export function responseHeadersForClient (headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const extra = namedByConnection(headers.connection)
  const returned: Record<string, string | string[]> = {}
  for (const name in headers) {
    const value = headers[name]
    if (value === undefined || NOT_RETURNED.has(name) || extra?.has(name) === true || name.startsWith('x-road-')) continue
    returned[name] = value
  }
  return returned
}
