// `ndxp gateway`: the hub alone, on its embedded SQLite stores.
import { closeOnSignals } from '../lgsp-node/server.js'
import { keepExchangeObjectsYoung } from '../gateway/heap-policy.js'
import { startHubServer } from '../gateway/server.js'
import { parseCommand, parsePort } from './options.js'

export async function runGateway (args: string[]): Promise<void> {
  const { settings, values } = parseCommand(args, {}, { faults: 'fault rules belong to the nodes: give them to ndxp node or ndxp up' })
  keepExchangeObjectsYoung()
  const running = await startHubServer(settings, parsePort(values.port, 'port'))
  process.send?.({ type: 'listening', component: 'hub', url: running.url, devKeys: running.devKeys })
  if (process.send === undefined) {
    console.log(`hub listening on ${running.url}`)
    for (const key of running.devKeys.filter((k) => k.active)) console.log(`  ${key.memberCode.padEnd(15)} ${key.key}  ${key.memberName}`)
  }
  closeOnSignals(running.close, { info: (message) => running.hub.app.log.info(message), error: (message) => running.hub.app.log.error(message) })
}
