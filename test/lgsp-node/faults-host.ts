// A small host node for the fault-injection tests: citizens and insurance routes behind the fault plugin.
import Fastify, { type FastifyInstance, type InjectOptions, type LightMyRequestResponse } from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Test } from 'tap'
import { Client } from 'undici'
import { z } from 'zod'
import problemPlugin from '../../common/problem-plugin.js'
import type { FaultRule, FaultRuleInput } from '../../contracts/faults.js'
import faultPlugin, { type FaultPluginOptions } from '../../lgsp-node/faults/plugin.js'

export const ADMIN_TOKEN = 'admin-token-for-tests'
export const PERSON = '001203004567'

export const citizenSchema = z.object({
  personalId: z.string().regex(/^\d{12}$/),
  fullName: z.string(),
  birthDate: z.string(),
  alive: z.boolean(),
  address: z.object({ province: z.string(), commune: z.string() }),
})
export const citizenListSchema = z.object({ items: z.array(citizenSchema), total: z.number().int() })
export const insuranceSchema = z.object({ code: z.string(), active: z.boolean() })

const citizen = (personalId: string): z.infer<typeof citizenSchema> => ({
  personalId,
  fullName: 'Nguyễn Văn An',
  birthDate: '2003-04-05',
  alive: true,
  address: { province: 'Hà Nội', commune: 'Phường Ba Đình' },
})

export interface Host {
  app: FastifyInstance
  client: Client
  origin: string
  /** GET over a real socket; resolves with status, headers and the body as text. */
  get: (path: string, headers?: Record<string, string>) => Promise<{ status: number, headers: Record<string, unknown>, text: string }>
  /** Calls the admin API in-process with the admin token unless headers say otherwise. */
  admin: (method: InjectOptions['method'], path: string, body?: unknown, headers?: Record<string, string>) => Promise<LightMyRequestResponse>
  addRule: (rule: FaultRuleInput) => Promise<FaultRule>
  /** The value of X-Ndxp-Fault on an answer, or undefined. */
  marker: (headers: Record<string, unknown>) => string | undefined
}

export async function buildApp (options: Partial<FaultPluginOptions> = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  await app.register(problemPlugin)
  await app.register(faultPlugin, { adminToken: ADMIN_TOKEN, ...options })
  const routes = app.withTypeProvider<ZodTypeProvider>()
  routes.get('/citizens/:personalId', {
    config: { service: 'citizens' },
    schema: { params: z.object({ personalId: z.string() }), response: { 200: citizenSchema } },
  }, async (request) => citizen(request.params.personalId))
  routes.get('/citizens', {
    config: { service: 'citizens' },
    schema: { response: { 200: citizenListSchema } },
  }, async () => ({ items: [citizen(PERSON), citizen('079099000123')], total: 2 }))
  routes.get('/insurance/:code', {
    config: { service: 'insurance' },
    schema: { params: z.object({ code: z.string() }), response: { 200: insuranceSchema } },
  }, async (request) => ({ code: request.params.code, active: true }))
  routes.get('/healthz', async () => ({ status: 'ok' }))
  return app
}

/** Builds, listens on loopback and closes itself (client first) when the test ends. */
export async function buildHost (t: Test, options: Partial<FaultPluginOptions> = {}): Promise<Host> {
  const app = await buildApp(options)
  const origin = await app.listen({ host: '127.0.0.1', port: 0 })
  const client = new Client(origin)
  t.teardown(async () => {
    await client.destroy()
    await app.close()
  })
  const host: Host = {
    app,
    client,
    origin,
    get: async (path, headers = {}) => {
      const response = await client.request({ method: 'GET', path, headers })
      return { status: response.statusCode, headers: response.headers, text: await response.body.text() }
    },
    admin: (method, path, body, headers = { authorization: `Bearer ${ADMIN_TOKEN}` }) =>
      app.inject({ method, url: path, headers, ...(body === undefined ? {} : { payload: body as object }) }),
    addRule: async (rule) => {
      const response = await host.admin('POST', '/_node/faults', rule)
      if (response.statusCode !== 201) throw new Error(`adding a rule failed: ${response.statusCode} ${response.body}`)
      return response.json<FaultRule>()
    },
    marker: (headers) => {
      const value = headers['x-ndxp-fault']
      return typeof value === 'string' ? value : undefined
    },
  }
  return host
}
