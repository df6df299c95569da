// Registers a load-test agency on a hub through its admin API: a member with a policy far above any
// offered load, a client subsystem with a key, and the bench upstream as a provider it is granted.
import { request } from 'undici'

export const BENCH_CLIENT = 'VN/GOV/000.00.99.B01/LOAD'
/** The upstream's `/bench/{key}` path as the hub exposes it. */
export const benchServicePath = (upstreamPath: string): string => `/r1/VN/GOV/000.00.99.B01/LOAD/bench${upstreamPath.slice('/bench'.length)}`

async function admin (hubUrl: string, adminToken: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await request(`${hubUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const answer = await response.body.json() as Record<string, unknown>
  if (response.statusCode >= 300) throw new Error(`POST ${path}: ${response.statusCode} ${JSON.stringify(answer)}`)
  return answer
}

/** Returns the agency's key. */
export async function registerBenchAgency (hubUrl: string, adminToken: string, upstreamUrl: string): Promise<string> {
  const post = (path: string, body: unknown): Promise<Record<string, unknown>> => admin(hubUrl, adminToken, path, body)
  await post('/v1/registry/members', { code: '000.00.99.B01', memberClass: 'GOV', name: 'Bench agency', kind: 'ministry', rateLimit: { ratePerSecond: 1_000_000, burst: 1_000_000 } })
  await post('/v1/registry/members/000.00.99.B01/subsystems', { code: 'LOAD', name: 'load generator' })
  const issued = await post('/v1/registry/members/000.00.99.B01/keys', { label: 'bench' })
  await post('/v1/registry/nodes', { id: 'bench-upstream', memberCode: '000.00.99.B01', baseUrl: upstreamUrl })
  await post('/v1/registry/services', { memberCode: '000.00.99.B01', subsystemCode: 'LOAD', serviceCode: 'bench', nodeId: 'bench-upstream', upstreamPath: '/bench', endpoints: [{ method: 'GET', path: '/bench/{key}' }], carriesPersonalData: false })
  const id = { instance: 'VN', memberClass: 'GOV', memberCode: '000.00.99.B01', subsystemCode: 'LOAD' }
  await post('/v1/registry/grants', { client: id, service: { ...id, serviceCode: 'bench' } })
  return issued.key as string
}
