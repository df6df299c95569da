// `ndxp node --node <id>`: one national-database node in this process.
import { SettingsError } from '../common/config.js'
import { keepHeapNearLiveSize } from '../lgsp-node/heap-policy.js'
import { closeOnSignals, startNodeServer } from '../lgsp-node/server.js'
import { hubPersonalIdIssuer } from '../lgsp-node/hub-issuer.js'
import { nationalNodeDefinitions, nationalNodes } from '../lgsp-node/national-nodes.js'
import { deriveDevApiKey } from '../registry/keys.js'
import { parseCommand, parsePort } from './options.js'

export async function runNode (args: string[]): Promise<void> {
  const { settings, values } = parseCommand(args, { node: { type: 'string' } })
  const hubUrl = settings.NDXP_HUB_URL
  const civilStatusMember = '000.00.00.G15'
  const definitions = nationalNodeDefinitions(hubUrl === undefined ? {} : {
    personalIdIssuer: hubPersonalIdIssuer({
      hubUrl,
      apiKey: settings.NDXP_NODE_API_KEY ?? deriveDevApiKey(settings.NDXP_DEV_SECRET, civilStatusMember),
      client: `VN/GOV/${civilStatusMember}/HOTICH`,
      service: 'VN/GOV/000.00.00.G01/CSDLQGDC/citizens',
      timeoutMs: 10_000,
    }),
  })
  const definition = definitions.find((node) => node.id === values.node)
  if (definition === undefined) {
    throw new SettingsError(`--node must be one of ${nationalNodes.map((n) => n.id).join(', ')}${values.node === undefined ? '' : `; got '${values.node}'`}`)
  }
  const port = parsePort(values.port, 'port')
  keepHeapNearLiveSize()
  const running = await startNodeServer(definition, settings, port)
  // Under `ndxp up` the supervisor waits for this message before printing the endpoints.
  process.send?.({ type: 'listening', node: definition.id, url: running.url })
  if (process.send === undefined) console.log(`${definition.id} node listening on ${running.url}`)
  closeOnSignals(() => running.app.close(), { info: (message) => running.app.log.info(message), error: (message) => running.app.log.error(message) })
}
