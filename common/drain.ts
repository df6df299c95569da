// Graceful stop for keep-alive clients. Once close() begins, requests already on open connections
// are still answered (and recorded), but each answer carries `Connection: close`, and connections
// that fall idle are closed at once, so the server stops as soon as its work is done instead of
// waiting out the keep-alive timeout of every client that keeps sending. A deadline bounds it all.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export interface DrainOptions {
  /** After this, connections still open are destroyed (default 10 s). */
  readonly deadlineMs?: number
}

async function drain (app: FastifyInstance, options: DrainOptions): Promise<void> {
  let closing = false
  let sweeper: NodeJS.Timeout | undefined
  let deadline: NodeJS.Timeout | undefined

  // Callback style: it runs on every answer, and an async hook would cost a promise each time.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close')
    done(null, payload)
  })
  app.addHook('preClose', async () => {
    closing = true
    const server = app.server
    sweeper = setInterval(() => server.closeIdleConnections(), 50)
    deadline = setTimeout(() => server.closeAllConnections(), options.deadlineMs ?? 10_000)
    sweeper.unref()
    deadline.unref()
  })
  app.addHook('onClose', async () => {
    clearInterval(sweeper)
    clearTimeout(deadline)
  })
}

export const drainPlugin = fp(drain, { name: 'ndxp-drain', fastify: '5.x' })
