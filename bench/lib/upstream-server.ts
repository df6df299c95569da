// The upstream of the hub benchmark: answers GET /bench/{key} with a fixed 1 KB JSON body.
import Fastify from 'fastify'

const app = Fastify({ logger: false })
const body = JSON.stringify({ filler: 'x'.repeat(1000) }).slice(0, 1024)
app.get('/bench/:key', (_request, reply) => { void reply.type('application/json').send(body) })
const url = await app.listen({ host: '127.0.0.1', port: 0 })
console.log(url)
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)) })
