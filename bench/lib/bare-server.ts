// Baseline for the mocks benchmark: a bare Fastify server answering a fixed ~1 KB JSON by key,
// with no validation, on the same core, so the mocks' figures can be read as a ratio to it.
import Fastify from 'fastify'

const app = Fastify({ logger: false })
const payload = { filler: 'x'.repeat(900) }
app.get('/bare/:key', async (request) => ({ key: (request.params as { key: string }).key, ...payload }))
const url = await app.listen({ host: '127.0.0.1', port: 0 })
console.log(url)
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)) })
