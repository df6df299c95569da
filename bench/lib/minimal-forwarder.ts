// The floor the hub aims at in its benchmark: a minimal Fastify + undici forwarder in front of the same
// upstream. GET only, the answer read whole and sent on with its status and Content-Type: no header
// rewriting, no streaming, no error mapping, nothing recorded.
import Fastify from 'fastify'
import { Pool } from 'undici'

const upstream = process.env.UPSTREAM_URL
if (upstream === undefined) throw new Error('set UPSTREAM_URL')
const pool = new Pool(upstream, { connections: 128 })
const app = Fastify({ logger: false })
app.get('/*', async (request, reply) => {
  const answer = await pool.request({ path: request.url, method: 'GET' })
  const body = Buffer.from(await answer.body.arrayBuffer())
  const type = answer.headers['content-type']
  if (type !== undefined) reply.header('content-type', type)
  return reply.code(answer.statusCode).send(body)
})
const url = await app.listen({ host: '127.0.0.1', port: 0 })
console.log(url)
process.on('SIGTERM', () => { void app.close().then(async () => { await pool.close(); process.exit(0) }) })
