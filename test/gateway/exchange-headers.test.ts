// Which headers cross the hub in each direction: hop-by-hop ones never, nor those a Connection header names.
import t from 'tap'
import { requestHeadersForProvider, responseHeadersForClient } from '../../gateway/exchange/headers.js'

t.test('the request keeps X-Road and custom headers and drops hop-by-hop ones and the credential', async (t) => {
  const forwarded = requestHeadersForProvider({
    host: 'hub', authorization: 'Bearer secret', connection: 'keep-alive', 'keep-alive': 'timeout=5', 'user-agent': 'curl',
    'x-road-client': 'VN/GOV/000.00.00.H49/DVCTINH', 'content-type': 'application/json', 'x-trace': 'abc',
  }, 'message-1')
  t.strictSame(forwarded, { 'x-road-client': 'VN/GOV/000.00.00.H49/DVCTINH', 'content-type': 'application/json', 'x-trace': 'abc', 'x-road-id': 'message-1' })
})

t.test('headers a Connection header names are hop-by-hop too, whatever its spelling', async (t) => {
  for (const connection of ['keep-alive, x-secret', 'X-Secret', ' close ,X-SECRET,, ', 'Keep-Alive, x-secret']) {
    const forwarded = requestHeadersForProvider({ connection, 'x-secret': 'token', 'x-kept': '1' }, 'm')
    t.strictSame(forwarded, { 'x-kept': '1', 'x-road-id': 'm' }, JSON.stringify(connection))
    const returned = responseHeadersForClient({ connection, 'x-secret': 'token', 'x-kept': '1' })
    t.strictSame(returned, { 'x-kept': '1' }, JSON.stringify(connection))
  }
  // Sent twice, Node hands the values over as one list.
  t.strictSame(requestHeadersForProvider({ connection: ['close', 'x-secret'] as never, 'x-secret': 'token' }, 'm'), { 'x-road-id': 'm' })
})

t.test('the answer loses hop-by-hop headers, Server, Date and any X-Road header the provider set', async (t) => {
  const returned = responseHeadersForClient({
    connection: 'close', 'transfer-encoding': 'chunked', server: 'nginx', date: 'today', 'x-road-request-hash': 'forged',
    'content-type': 'application/json', 'content-length': '2', etag: '"1"',
  })
  t.strictSame(returned, { 'content-type': 'application/json', 'content-length': '2', etag: '"1"' })
})
