// The SQLite layout of the transaction log: rows, rollups, interned names; and rows ↔ records.
// Every name is prefixed so the log can share a database file with the registry.
import type Database from 'better-sqlite3'
import type { Outcome, TransactionRecord } from '../../contracts/transaction.js'

// Append only. The version lives in transaction_meta, not in user_version, which the registry owns.
// Dimension columns hold interned ids (transaction_names): keys and indexes stay a few bytes wide;
// id 0 is never a name's, and stands for "all clients" in the rollups' view 1 (see rollup.ts).
// Version 2 keeps two indexes on the rows, by id and by time (request_in_ts and, implicitly, the rowid
// `seq`: the keyset order of a page). Filtered pages find their minutes in the rollups (sqlite-reader).
const MIGRATIONS = [`
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
    db.prepare('INSERT INTO transaction_schema VALUES (1, ?) ON CONFLICT DO UPDATE SET version = excluded.version').run(MIGRATIONS.length)
  }).immediate()
}

/** The kinds of interned names. */
export const NAME = { client: 1, service: 2, member: 3, provider: 4, outcome: 5 } as const
export type NameKind = typeof NAME[keyof typeof NAME]

export const RECORD_COLUMNS = `seq, id, message_id, request_in_ts, request_out_ts, response_in_ts, response_out_ts,
  client_instance, client_member_class, client_member_code, client_subsystem_code, service_instance, service_member_class,
  service_member_code, service_subsystem_code, service_code, provider_node_id, rest_method, rest_path, user_id_hash, issue,
  request_size, response_size, status_code, succeeded, fault_code, gateway_id, request_hash, response_hash, outcome`

export const INSERT_RECORD = `INSERT INTO transactions (id, message_id, request_in_ts, request_out_ts, response_in_ts,
  response_out_ts, client_instance, client_member_class, client_member_code, client_subsystem_code, service_instance,
  service_member_class, service_member_code, service_subsystem_code, service_code, provider_node_id, rest_method, rest_path,
  user_id_hash, issue, request_size, response_size, status_code, succeeded, fault_code, gateway_id, request_hash,
  response_hash, client, service, client_member, service_member, provider, outcome)
  VALUES (${Array.from({ length: 34 }, () => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`

export interface Interned { client: number, service: number, clientMember: number, serviceMember: number, provider: number, outcome: number }

export function insertParams (r: TransactionRecord, n: Interned): unknown[] {
  return [
    r.id, r.messageId, r.requestInTs, r.requestOutTs, r.responseInTs, r.responseOutTs,
    r.clientInstance, r.clientMemberClass, r.clientMemberCode, r.clientSubsystemCode, r.serviceInstance,
    r.serviceMemberClass, r.serviceMemberCode, r.serviceSubsystemCode, r.serviceCode, r.providerNodeId, r.restMethod,
    r.restPath, r.userIdHash, r.issue, r.requestSize, r.responseSize, r.statusCode, r.succeeded ? 1 : 0, r.faultCode,
    r.gatewayId, r.requestHash, r.responseHash, n.client, n.service, n.clientMember, n.serviceMember, n.provider, n.outcome,
  ]
}

export interface RecordRow {
  seq: number, id: string, message_id: string, request_in_ts: number, request_out_ts: number | null
  response_in_ts: number | null, response_out_ts: number, client_instance: string | null
  client_member_class: string | null, client_member_code: string | null, client_subsystem_code: string | null
  service_instance: string | null, service_member_class: string | null, service_member_code: string | null
  service_subsystem_code: string | null, service_code: string | null, provider_node_id: string | null, rest_method: string
  rest_path: string | null, user_id_hash: string | null, issue: string | null, request_size: number, response_size: number
  status_code: number, succeeded: number, fault_code: string | null, gateway_id: string, request_hash: string | null
  response_hash: string | null, outcome: number
}

export function toRecord (r: RecordRow, outcome: string): TransactionRecord {
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
