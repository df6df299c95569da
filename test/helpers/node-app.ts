// Builds an LGSP node for a test, listening on a real loopback port, and closes it when the test ends.
import type { Test } from 'tap'
import { buildNodeApp, type NodeAppOptions } from '../../lgsp-node/app.js'
import { NationalDataset } from '../../lgsp-node/data/dataset.js'
import { Overlay } from '../../lgsp-node/overlay.js'
import type { NodeService, ZodApp } from '../../lgsp-node/service.js'

export const TEST_ADMIN_TOKEN = 'test-admin-token'
/** One dataset per test process: building it is cheap, but sharing it keeps tests honest about purity. */
export const testDataset = new NationalDataset()

export interface StartedNode {
  app: ZodApp
  url: string
  overlay: Overlay
}

export async function startNode (t: Test, services: readonly NodeService[], options: Partial<NodeAppOptions> = {}): Promise<StartedNode> {
  const overlay = options.overlay ?? new Overlay(':memory:')
  const app = await buildNodeApp({
    nodeId: 'test-node',
    memberCode: '000.00.00.G01',
    title: 'test node',
    services,
    dataset: testDataset,
    overlay,
    adminToken: TEST_ADMIN_TOKEN,
    ...options,
  })
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  return { app, url: address, overlay }
}
