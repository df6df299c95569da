// Service timeouts under PRECISE_TIMEOUT_BELOW_MS fire at the timeout, not at the next tick of
// undici's half-second timers; a body that keeps coming is not cut off, read whole or streamed.
// A real HTTP server over loopback plays the provider.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Readable } from 'node:stream'
import t, { type Test } from 'tap'
import { Agent } from 'undici'
import { BrokenAnswer, forward, PRECISE_TIMEOUT_BELOW_MS, type ProviderAnswer } from '../../gateway/exchange/forward.js'

const TIMEOUT_MS = 300
/** Answers of at most this many bytes are read whole; longer ones stream. */
const BUFFER_LIMIT = 64
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** The provider: each path a behaviour. */
async function provider (t: Test): Promise<string> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      if (request.url === '/silent') return // headers never come
      // Headers after 200 ms, then chunks 200 ms apart: each wait under the timeout, the whole answer well over it.
      const trickle = async (chunks: number, size: number): Promise<void> => {
        await sleep(200)
        response.writeHead(200, { 'content-length': String(chunks * size) })
        response.flushHeaders()
        for (let i = 0; i < chunks; i++) {
          await sleep(200)
          response.write('x'.repeat(size))
        }
        response.end()
      }
      if (request.url === '/stalled-body') {
        response.writeHead(200, { 'content-length': '40' })
        response.write('x'.repeat(10)) // and nothing more
      } else if (request.url === '/trickle-whole') await trickle(4, 10)
      else if (request.url === '/trickle-streamed') await trickle(4, 100)
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function call (t: Test, path: string): Promise<{ answer?: ProviderAnswer, error?: unknown, startedAt: number }> {
  const dispatcher = new Agent()
  t.teardown(() => dispatcher.destroy())
  const origin = await provider(t)
  const startedAt = performance.now()
  try {
    const answer = await forward(dispatcher, { origin, path, method: 'GET', headers: {}, body: undefined, timeoutMs: TIMEOUT_MS }, BUFFER_LIMIT, () => performance.now())
    return { answer, startedAt }
  } catch (error) {
    return { error, startedAt }
  }
}

t.equal(TIMEOUT_MS < PRECISE_TIMEOUT_BELOW_MS, true, 'these timeouts are the hub\'s own')

t.test('no headers: a headers timeout at the service timeout', async (t) => {
  const { error, startedAt } = await call(t, '/silent')
  const ms = performance.now() - startedAt
  t.equal((error as { code?: string }).code, 'UND_ERR_HEADERS_TIMEOUT')
  // undici's timers alone took 0.5–1 s here.
  t.ok(ms >= TIMEOUT_MS - 1 && ms < 490, `failed after ${ms.toFixed(0)} ms`)
})

t.test('headers, then a whole-read body that stalls: a body timeout, the headers kept', async (t) => {
  const { error, startedAt } = await call(t, '/stalled-body')
  const ms = performance.now() - startedAt
  t.type(error, BrokenAnswer)
  t.equal(((error as BrokenAnswer).cause as { code?: string }).code, 'UND_ERR_BODY_TIMEOUT')
  t.ok((error as BrokenAnswer).headersAt >= startedAt, 'the broken answer says when its headers came')
  t.ok(ms >= TIMEOUT_MS - 1 && ms < 490, `failed after ${ms.toFixed(0)} ms`)
})

t.test('a whole-read body that keeps coming is read to its end, past the timeout', async (t) => {
  const { answer, error } = await call(t, '/trickle-whole')
  t.equal(error, undefined)
  t.equal((answer?.body as Buffer).toString(), 'x'.repeat(40), 'the headers and each chunk restarted the wait: 1 s in all')
})

t.test('a streamed body that keeps coming is not cut off by the hub\'s own timer', async (t) => {
  const { answer, error } = await call(t, '/trickle-streamed')
  t.equal(error, undefined)
  let text = ''
  for await (const chunk of answer?.body as Readable) text += String(chunk)
  t.equal(text, 'x'.repeat(400), 'streamed to its end, 1 s in all')
})
