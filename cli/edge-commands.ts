// `ndxp balance` and `ndxp lgsp`: what stands in front of the hub in a deployment of replicas.
// balance: round-robin over hub replicas (docker-compose's load balancer, or the same as a process).
// lgsp: a province's LGSP in miniature: its systems call it without credentials, it adds the
// agency's X-Road-Client and key and forwards to the hub, as a consumer-side security server does.
import { parseArgs } from 'node:util'
import { SettingsError, loadSettings } from '../common/config.js'
import { memberCodeSchema, subsystemCodeSchema } from '../contracts/registry.js'
import { startForwardProxy, type RunningProxy } from '../gateway/edge/forward-proxy.js'
import { closeOnSignals } from '../lgsp-node/server.js'
import { deriveDevApiKey } from '../registry/keys.js'
import { parsePort } from './options.js'

const common = { host: { type: 'string' }, port: { type: 'string' } } as const

function portOf (text: string | undefined, fallback: number): number {
  return parsePort(text, 'port') ?? fallback
}

function originOf (text: string, flag: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new SettingsError(`--${flag} must be an http(s) URL such as http://hub-1:8080, got '${text}'`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SettingsError(`--${flag} must be an http(s) URL, got '${text}'`)
  return url.origin
}

function announce (what: string, running: RunningProxy): void {
  console.log(`${what} listening on ${running.url}`)
  closeOnSignals(running.close, { info: (message) => console.log(message), error: (message) => console.error(message) })
}

export async function runBalance (args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { ...common, upstream: { type: 'string', multiple: true } }, strict: true })
  const upstreams = (values.upstream ?? []).map((u) => originOf(u, 'upstream'))
  if (upstreams.length === 0) throw new SettingsError('--upstream is required, once per hub replica: --upstream http://hub-1:8080 --upstream http://hub-2:8080')
  const settings = loadSettings(process.env)
  const running = await startForwardProxy({ upstreams, name: 'ndxp-balance' }, values.host ?? settings.NDXP_HOST, portOf(values.port, 8080))
  announce(`load balancer over ${upstreams.join(', ')}`, running)
}

export async function runLgsp (args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { ...common, member: { type: 'string' }, subsystem: { type: 'string' }, hub: { type: 'string' } }, strict: true })
  const settings = loadSettings(process.env)
  const member = memberCodeSchema.safeParse(values.member)
  if (!member.success) throw new SettingsError(`--member must be the agency's member code, e.g. 000.00.00.H49 (got '${values.member ?? ''}')`)
  const subsystem = subsystemCodeSchema.safeParse(values.subsystem)
  if (!subsystem.success) throw new SettingsError(`--subsystem must be the agency's client subsystem code, e.g. DVCTINH (got '${values.subsystem ?? ''}')`)
  const hub = values.hub ?? settings.NDXP_HUB_URL
  if (hub === undefined) throw new SettingsError('--hub (or NDXP_HUB_URL) is required: where this LGSP sends its calls')
  const apiKey = settings.NDXP_NODE_API_KEY ?? deriveDevApiKey(settings.NDXP_DEV_SECRET, member.data)
  const running = await startForwardProxy({
    upstreams: [originOf(hub, 'hub')],
    name: `lgsp-${member.data}`,
    setHeaders: { 'x-road-client': `VN/GOV/${member.data}/${subsystem.data}`, authorization: `Bearer ${apiKey}` },
    onlyUnder: { prefix: '/r1/', why: 'it lends the agency\'s key to X-Road exchanges only; call the hub\'s other APIs directly with their own credentials' },
  }, values.host ?? settings.NDXP_HOST, portOf(values.port, 8201))
  announce(`LGSP of ${member.data}/${subsystem.data} (calls ${hub})`, running)
}
