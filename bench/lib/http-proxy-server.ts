// The peer in the hub benchmark: bare @fastify/http-proxy in front of the same upstream, no features.
import proxy from '@fastify/http-proxy'
import Fastify from 'fastify'

const upstream = process.env.UPSTREAM_URL
if (upstream === undefined) throw new Error('set UPSTREAM_URL')
const app = Fastify({ logger: false })
await app.register(proxy, { upstream, prefix: '/', http: undefined, undici: { connections: 128, pipelining: 1 } })
const url = await app.listen({ host: '127.0.0.1', port: 0 })
console.log(url)
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)) })
