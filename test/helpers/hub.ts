// Starts a hub for a test on a real loopback port, over a real SQLite registry seeded with the
// default federation, with the seeded nodes pointed at the test's own node servers.
import type { Test } from 'tap'
import type { TransactionRecord } from '../../contracts/transaction.js'
import { buildHub, type Hub, type HubOptions } from '../../gateway/app.js'
import { applySeed, DEFAULT_DEV_SECRET, defaultSeed } from '../../registry/seed.js'
import { openSqliteRegistryStore } from '../../registry/sqlite-store.js'
import { openSqliteTransactionStore } from '../../gateway/transactions/sqlite-store.js'
import type { TransactionStore } from '../../gateway/transactions/store.js'
import type { RegistryStore } from '../../registry/store.js'

export const HUB_ADMIN_TOKEN = 'hub-admin-token'

export interface StartedHub {
  hub: Hub
  url: string
  store: RegistryStore
  transactions: TransactionStore
  /** Development key of each seeded member, by member code. */
  keys: Map<string, string>
  records: TransactionRecord[]
}

export async function startHub (t: Test, nodeUrls: Record<string, string>, options: Partial<HubOptions> = {}): Promise<StartedHub> {
  const store = options.registryStore ?? await openSqliteRegistryStore({ filename: ':memory:' })
  const report = await applySeed(store, defaultSeed(), { devSecret: DEFAULT_DEV_SECRET, nodeEnv: 'test' })
  for (const [nodeId, baseUrl] of Object.entries(nodeUrls)) await store.updateNode(nodeId, { baseUrl })
  const records: TransactionRecord[] = []
  const transactions = options.transactionStore ?? await openSqliteTransactionStore({ filename: ':memory:' })
  const hub = await buildHub({
    registryStore: store,
    transactionStore: transactions,
    onRecord: (record) => { records.push(record) },
    adminToken: HUB_ADMIN_TOKEN,
    gatewayId: 'test-hub',
    userIdSecret: 'test-user-id-secret',
    ...options,
  })
  const url = await hub.app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => {
    await hub.app.close()
    await transactions.close()
    await store.close()
  })
  return { hub, url, store, transactions, keys: new Map(report.keys.map((k) => [k.memberCode, k.key])), records }
}
