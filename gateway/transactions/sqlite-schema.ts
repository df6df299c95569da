// The SQLite layout of the transaction log: blocks of records, their ids, rollups, interned names.
// Every name is prefixed so the log can share a database file with the registry.
import type Database from 'better-sqlite3'
import type { Outcome, TransactionRecord } from '../../contracts/transaction.js'
import { toColumns } from './record-columns.js'
import { BlockWriter } from './sqlite-block-writer.js'
import { DIMENSION_COUNT } from './sqlite-blocks.js'
import { SqliteNames } from './sqlite-names.js'

// Append only. The version lives in transaction_meta, not in user_version, which the registry owns.
// Dimension values are interned ids (transaction_names): keys stay a few bytes wide; id 0 is never a
// name's, and stands for "all clients" in the rollups' view 1 (see rollup.ts).
// Version 2 kept two indexes on a row per record, by id and by time. Version 3 stores records in
// blocks, a row per append and minute (sqlite-blocks.ts), found by minute; ids map to their block
// and slot. Its rows move into blocks once, when a version 2 file is opened (moveRowsToBlocks).
export const MIGRATIONS = [`
CREATE TABLE transaction_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
INSERT INTO transaction_meta VALUES ('rows', 0);
CREATE TABLE transaction_names (id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, value TEXT NOT NULL, UNIQUE (kind, value)) STRICT;
CREATE TABLE transactions (
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, message_id TEXT NOT NULL,
  request_in_ts INTEGER NOT NULL, request_out_ts INTEGER, response_in_ts INTEGER, response_out_ts INTEGER NOT NULL,
  client_instance TEXT, client_member_class TEXT, client_member_code TEXT, client_subsystem_code TEXT,
  service_instance TEXT, service_member_class TEXT, service_member_code TEXT, service_subsystem_code TEXT, service_code TEXT,
  provider_node_id TEXT, rest_method TEXT NOT NULL, rest_path TEXT, user_id_hash TEXT, issue TEXT,
  request_size INTEGER NOT NULL, response_size INTEGER NOT NULL, status_code INTEGER NOT NULL, succeeded INTEGER NOT NULL,
  fault_code TEXT, gateway_id TEXT NOT NULL, request_hash TEXT, response_hash TEXT,
  client INTEGER NOT NULL, service INTEGER NOT NULL, client_member INTEGER NOT NULL, service_member INTEGER NOT NULL,
  provider INTEGER NOT NULL, outcome INTEGER NOT NULL) STRICT;
CREATE INDEX transactions_time ON transactions (request_in_ts);
CREATE INDEX transactions_client ON transactions (client, request_in_ts);
CREATE INDEX transactions_service ON transactions (service, request_in_ts);
CREATE INDEX transactions_client_member ON transactions (client_member, request_in_ts);
CREATE INDEX transactions_service_member ON transactions (service_member, request_in_ts);
CREATE INDEX transactions_provider ON transactions (provider, request_in_ts);
CREATE INDEX transactions_status ON transactions (status_code, request_in_ts);
CREATE INDEX transactions_outcome ON transactions (outcome, request_in_ts);
CREATE INDEX transactions_failed ON transactions (request_in_ts) WHERE succeeded = 0;
CREATE TABLE transaction_rollups (
  view INTEGER NOT NULL, level INTEGER NOT NULL, start INTEGER NOT NULL, client INTEGER NOT NULL, service INTEGER NOT NULL,
  provider INTEGER NOT NULL, status INTEGER NOT NULL, outcome INTEGER NOT NULL,
  client_member INTEGER NOT NULL, service_member INTEGER NOT NULL,
  count INTEGER NOT NULL, succeeded INTEGER NOT NULL, sum_ms INTEGER NOT NULL, max_ms INTEGER NOT NULL, histogram TEXT NOT NULL,
  PRIMARY KEY (view, level, start, client, service, provider, status, outcome)) STRICT, WITHOUT ROWID;
`, `
DROP INDEX transactions_client; DROP INDEX transactions_service; DROP INDEX transactions_client_member;
DROP INDEX transactions_service_member; DROP INDEX transactions_provider; DROP INDEX transactions_status;
DROP INDEX transactions_outcome; DROP INDEX transactions_failed;
`, `
CREATE TABLE transaction_blocks (seq INTEGER PRIMARY KEY, minute INTEGER NOT NULL, count INTEGER NOT NULL,
  min_ts INTEGER NOT NULL, max_ts INTEGER NOT NULL, data BLOB NOT NULL) STRICT;
CREATE INDEX transaction_blocks_minute ON transaction_blocks (minute);
CREATE TABLE transaction_ids (id TEXT PRIMARY KEY, tie INTEGER NOT NULL) STRICT, WITHOUT ROWID;
`]

export function migrate (db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS transaction_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL) STRICT')
  const row = db.prepare('SELECT version FROM transaction_schema').get() as { version: number } | undefined
  const applied = row?.version ?? 0
  if (applied > MIGRATIONS.length) {
    throw new Error(`its transaction-log schema version ${applied} is newer than this program knows (${MIGRATIONS.length}); upgrade ndxp-sim or use another file`)
  }
  db.transaction(() => {
    for (let version = applied; version < MIGRATIONS.length; version++) db.exec(MIGRATIONS[version] as string)
    if (applied < 3) moveRowsToBlocks(db)
    db.prepare('INSERT INTO transaction_schema VALUES (1, ?) ON CONFLICT DO UPDATE SET version = excluded.version').run(MIGRATIONS.length)
  }).immediate()
}

/** Version 2's rows into blocks, oldest first so that arrival order stays; rollups and the row count already hold them. */
function moveRowsToBlocks (db: Database.Database): void {
  const writer = new BlockWriter(db, new SqliteNames(db))
  const outcomes = new Map((db.prepare('SELECT id, value FROM transaction_names').all() as Array<{ id: number, value: string }>).map((n) => [n.id, n.value]))
  const page = db.prepare(`SELECT * FROM transactions WHERE seq > ? ORDER BY seq LIMIT 1000`)
  for (let after = 0; ;) {
    const rows = page.all(after) as RecordRow[]
    if (rows.length === 0) break
    const dims = new Int32Array(rows.length * DIMENSION_COUNT)
    rows.forEach((row, index) => dims.set([row.client, row.service, row.client_member, row.service_member, row.provider, row.outcome], index * DIMENSION_COUNT))
    writer.append(toColumns(rows.map((row) => toRecord(row, outcomes.get(row.outcome) ?? ''))), { dims })
    after = (rows[rows.length - 1] as RecordRow).seq
  }
  db.exec('DROP TABLE transactions')
}

/** A version 2 row. */
interface RecordRow {
  client: number, service: number, client_member: number, service_member: number, provider: number,
  seq: number, id: string, message_id: string, request_in_ts: number, request_out_ts: number | null
  response_in_ts: number | null, response_out_ts: number, client_instance: string | null
  client_member_class: string | null, client_member_code: string | null, client_subsystem_code: string | null
  service_instance: string | null, service_member_class: string | null, service_member_code: string | null
  service_subsystem_code: string | null, service_code: string | null, provider_node_id: string | null, rest_method: string
  rest_path: string | null, user_id_hash: string | null, issue: string | null, request_size: number, response_size: number
  status_code: number, succeeded: number, fault_code: string | null, gateway_id: string, request_hash: string | null
  response_hash: string | null, outcome: number
}

function toRecord (r: RecordRow, outcome: string): TransactionRecord {
  return {
    id: r.id, messageId: r.message_id, requestInTs: r.request_in_ts, requestOutTs: r.request_out_ts,
    responseInTs: r.response_in_ts, responseOutTs: r.response_out_ts, clientInstance: r.client_instance,
    clientMemberClass: r.client_member_class, clientMemberCode: r.client_member_code, clientSubsystemCode: r.client_subsystem_code,
    serviceInstance: r.service_instance, serviceMemberClass: r.service_member_class, serviceMemberCode: r.service_member_code,
    serviceSubsystemCode: r.service_subsystem_code, serviceCode: r.service_code, providerNodeId: r.provider_node_id,
    restMethod: r.rest_method, restPath: r.rest_path, userIdHash: r.user_id_hash, issue: r.issue, requestSize: r.request_size,
    responseSize: r.response_size, statusCode: r.status_code, succeeded: r.succeeded === 1, outcome: outcome as Outcome,
    faultCode: r.fault_code, gatewayId: r.gateway_id, requestHash: r.request_hash, responseHash: r.response_hash,
  }
}
