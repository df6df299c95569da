// A target for the load-engine tests, run as its own process so that it does not share the generator's
// event loop or CPU share. Plain JavaScript: it boots in milliseconds, without the TypeScript loader.
//   node target-server.mjs [--delay ms] [--silent]     prints its port, then serves:
//   any path      → 200 "ok" after the delay (or never, with --silent; or after a stall, see below)
//   POST /__stall?ms=N   holds every response, held or arriving, until N ms from now
//   GET /__stats         {"received", "peakConcurrent"} of the ordinary requests
import { createServer } from 'node:http'
import { performance } from 'node:perf_hooks'
import process from 'node:process'
import { setTimeout } from 'node:timers'
import { URL } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { delay: { type: 'string', default: '0' }, silent: { type: 'boolean', default: false } } })
const delayMs = Number(values.delay)
let received = 0
let concurrent = 0
let peak = 0
let stallUntil = 0
const held = new Set()

function answer (res) {
  const stalled = stallUntil - performance.now()
  if (stalled > 0) {
    setTimeout(answer, stalled, res)
    return
  }
  if (!held.delete(res)) return
  concurrent--
  res.end('ok')
}

const server = createServer((req, res) => {
  req.resume()
  if (req.url.startsWith('/__stall')) {
    stallUntil = performance.now() + Number(new URL(req.url, 'http://x').searchParams.get('ms'))
    res.end()
    return
  }
  if (req.url === '/__stats') {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ received, peakConcurrent: peak }))
    return
  }
  received++
  if (++concurrent > peak) peak = concurrent
  held.add(res)
  // A request the client gave up on (its connection closed) no longer counts as held.
  res.once('close', () => { if (held.delete(res)) concurrent-- })
  if (values.silent) return
  const wait = Math.max(delayMs, stallUntil - performance.now())
  if (wait > 0) setTimeout(answer, wait, res)
  else answer(res)
})
server.keepAliveTimeout = 30_000
server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${server.address().port}\n`))
process.on('SIGTERM', () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
})
