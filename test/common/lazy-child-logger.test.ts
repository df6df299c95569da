// Request loggers built only when their request logs: through a real Fastify app and a real pino,
// the lines written are the ones pino's own child writes, and a request that logs nothing at an
// enabled level never builds one.
import Fastify from 'fastify'
import { Writable } from 'node:stream'
import pino, { type Logger } from 'pino'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { lazyChildLoggerFactory } from '../../common/lazy-child-logger.js'
import { loggerOptions } from '../../common/logging.js'

/** A real pino logger writing JSON lines into `lines`, counting the children it builds. */
function collectingLogger (level: string): { logger: Logger, lines: Array<Record<string, unknown>>, built: () => number } {
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({ write (chunk: Buffer, _encoding, done) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done() } })
  let built = 0
  const logger = pino({ ...loggerOptions(level as 'warn'), base: { component: 'test' }, onChild: () => { built++ } }, sink)
  return { logger, lines, built: () => built }
}

async function app (t: Test, level: string, lazy: boolean) {
  const log = collectingLogger(level)
  const server = Fastify({ loggerInstance: log.logger, ...(lazy && { childLoggerFactory: lazyChildLoggerFactory }) })
  server.get('/quiet', async () => 'ok')
  server.get('/warns', async (request) => {
    request.log.info({ step: 1 }, 'not at warn')
    request.log.warn({ step: 2 }, 'a warning')
    request.log.child({ part: 'inner' }).error('from a grandchild')
    return 'ok'
  })
  server.get('/route-level', { logLevel: 'error' }, async (request) => { request.log.warn('dropped by the route level'); return 'ok' })
  const url = await server.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => server.close())
  const get = async (path: string): Promise<void> => { await (await request(`${url}${path}`)).body.dump() }
  return { ...log, get }
}

/** The lines as they compare between two servers: no times, and no listening line (its port differs). */
const comparable = (lines: Array<Record<string, unknown>>): Array<Record<string, unknown>> => lines
  .filter((line) => typeof line.msg !== 'string' || !line.msg.startsWith('Server listening'))
  .map(({ time: _time, responseTime: _responseTime, ...rest }) => rest)

/** The same requests, in order, to a server with lazy request loggers and to one with pino's own. */
async function both (t: Test, level: string, paths: readonly string[]): Promise<{ lazy: Awaited<ReturnType<typeof app>>, eager: Awaited<ReturnType<typeof app>> }> {
  const lazy = await app(t, level, true)
  const eager = await app(t, level, false)
  for (const server of [lazy, eager]) for (const path of paths) await server.get(path)
  return { lazy, eager }
}

t.test('at warn: a quiet request builds no child; one that warns writes what pino\'s child writes', async (t) => {
  const { lazy, eager } = await both(t, 'warn', ['/quiet', '/warns', '/route-level'])
  t.same(comparable(lazy.lines), comparable(eager.lines), 'the same lines, request ids included')
  t.match(lazy.lines, [{ level: 40, reqId: 'req-2', step: 2, msg: 'a warning' }, { level: 50, reqId: 'req-2', part: 'inner', msg: 'from a grandchild' }])
  t.equal(lazy.lines.length, 2, 'nothing below warn, nothing the route level drops')
  t.equal(eager.built() - lazy.built(), 1, 'the quiet request built no child; the others built theirs')
})

t.test('at info: every request logs, and the lines are pino\'s', async (t) => {
  const { lazy, eager } = await both(t, 'info', ['/quiet', '/warns'])
  t.same(comparable(lazy.lines), comparable(eager.lines))
  t.ok(lazy.lines.some((line) => line.msg === 'incoming request' && line.reqId === 'req-1'), 'the request log lines carry their request id')
  t.ok(lazy.lines.some((line) => line.msg === 'not at warn' && line.reqId === 'req-2'))
})

t.test('the level of a request logger: its parent\'s until set, then its own', async (t) => {
  const { logger, lines } = collectingLogger('warn')
  const child = lazyChildLoggerFactory(logger, { reqId: 'r' }, {})
  t.equal(child.level, 'warn')
  child.level = 'debug'
  child.debug('now on')
  t.equal(logger.level, 'warn', 'the parent keeps its level')
  t.match(lines, [{ level: 20, reqId: 'r', msg: 'now on' }])
  child.silent('never written')
  t.equal(lines.length, 1)
})
