// The registry's SQLite layout: append-only migrations, and how rows map to entities and back.
import type Database from 'better-sqlite3'
import type {
  ApiKey, ClientId, Endpoint, Grant, Member, MemberClass, MemberKind, NodeHealth, RegistryNode, Service, Subsystem,
} from '../contracts/registry.js'
import type { ServiceRef } from './store.js'

// Append only: user_version counts the migrations applied. Foreign keys encode the ownership rules
// documented on RegistryStore; services → nodes is NO ACTION, checked at the end of the statement,
// so a member's own services and nodes can go in one cascade.
const MIGRATIONS = [`
CREATE TABLE registry_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL) STRICT;
INSERT INTO registry_version VALUES (1, 0);
CREATE TABLE members (code TEXT PRIMARY KEY, member_class TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
  rate_per_second REAL NOT NULL, burst INTEGER NOT NULL) STRICT;
CREATE TABLE subsystems (member_code TEXT NOT NULL REFERENCES members (code) ON DELETE CASCADE,
  code TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (member_code, code)) STRICT;
CREATE TABLE api_keys (id TEXT PRIMARY KEY, member_code TEXT NOT NULL REFERENCES members (code) ON DELETE CASCADE,
  hash TEXT NOT NULL UNIQUE, label TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT) STRICT;
CREATE INDEX api_keys_member ON api_keys (member_code);
CREATE TABLE nodes (id TEXT PRIMARY KEY, member_code TEXT NOT NULL REFERENCES members (code) ON DELETE CASCADE,
  base_url TEXT NOT NULL, last_heartbeat_at TEXT, health TEXT NOT NULL) STRICT;
CREATE INDEX nodes_member ON nodes (member_code);
CREATE TABLE services (member_code TEXT NOT NULL, subsystem_code TEXT NOT NULL, service_code TEXT NOT NULL,
  node_id TEXT NOT NULL REFERENCES nodes (id), upstream_path TEXT NOT NULL, timeout_ms INTEGER NOT NULL,
  endpoints TEXT NOT NULL, carries_personal_data INTEGER NOT NULL, openapi_url TEXT,
  PRIMARY KEY (member_code, subsystem_code, service_code),
  FOREIGN KEY (member_code, subsystem_code) REFERENCES subsystems (member_code, code) ON DELETE CASCADE) STRICT;
CREATE INDEX services_node ON services (node_id);
CREATE TABLE grants (id TEXT PRIMARY KEY, client_member TEXT NOT NULL, client_subsystem TEXT NOT NULL,
  service_member TEXT NOT NULL, service_subsystem TEXT NOT NULL, service_code TEXT NOT NULL,
  endpoints TEXT, quota_rate REAL, quota_burst INTEGER, created_at TEXT NOT NULL,
  UNIQUE (client_member, client_subsystem, service_member, service_subsystem, service_code),
  FOREIGN KEY (client_member, client_subsystem) REFERENCES subsystems (member_code, code) ON DELETE CASCADE,
  FOREIGN KEY (service_member, service_subsystem, service_code)
    REFERENCES services (member_code, subsystem_code, service_code) ON DELETE CASCADE) STRICT;
CREATE INDEX grants_service ON grants (service_member, service_subsystem, service_code);
`]

export function migrate (db: Database.Database): void {
  const applied = db.pragma('user_version', { simple: true }) as number
  if (applied > MIGRATIONS.length) {
    throw new Error(`its schema version ${applied} is newer than this program knows (${MIGRATIONS.length}); upgrade ndxp-sim or use another file`)
  }
  db.transaction(() => {
    MIGRATIONS.slice(applied).forEach((sql) => db.exec(sql))
    db.pragma(`user_version = ${MIGRATIONS.length}`)
  }).immediate()
}

export interface MemberRow { code: string, member_class: string, name: string, kind: string, rate_per_second: number, burst: number }
export interface SubsystemRow { member_code: string, code: string, name: string }
export interface KeyRow { id: string, member_code: string, hash: string, label: string, created_at: string, revoked_at: string | null }
export interface NodeRow { id: string, member_code: string, base_url: string, last_heartbeat_at: string | null, health: string }
export interface ServiceRow {
  member_code: string, subsystem_code: string, service_code: string, node_id: string, upstream_path: string
  timeout_ms: number, endpoints: string, carries_personal_data: number, openapi_url: string | null
}
export interface GrantRow {
  id: string, client_member: string, client_subsystem: string, client_class: string, service_member: string
  service_subsystem: string, service_code: string, service_class: string, endpoints: string | null
  quota_rate: number | null, quota_burst: number | null, created_at: string
}

export const toMember = (r: MemberRow): Member => ({
  code: r.code, memberClass: r.member_class as MemberClass, name: r.name, kind: r.kind as MemberKind,
  rateLimit: { ratePerSecond: r.rate_per_second, burst: r.burst },
})
export const toSubsystem = (r: SubsystemRow): Subsystem => ({ memberCode: r.member_code, code: r.code, name: r.name })
export const toKey = (r: KeyRow): ApiKey => ({
  id: r.id, memberCode: r.member_code, hash: r.hash, label: r.label, createdAt: r.created_at,
  ...(r.revoked_at === null ? {} : { revokedAt: r.revoked_at }),
})
export const toNode = (r: NodeRow): RegistryNode => ({
  id: r.id, memberCode: r.member_code, baseUrl: r.base_url, lastHeartbeatAt: r.last_heartbeat_at, health: r.health as NodeHealth,
})
export const toService = (r: ServiceRow): Service => ({
  memberCode: r.member_code, subsystemCode: r.subsystem_code, serviceCode: r.service_code, nodeId: r.node_id,
  upstreamPath: r.upstream_path, timeoutMs: r.timeout_ms, endpoints: JSON.parse(r.endpoints) as Endpoint[],
  carriesPersonalData: r.carries_personal_data === 1, ...(r.openapi_url === null ? {} : { openapiUrl: r.openapi_url }),
})

// Grant rows name members by code only; the class in each identifier comes from this join.
export const GRANT_SELECT = `SELECT g.*, cm.member_class AS client_class, sm.member_class AS service_class FROM grants g
  JOIN members cm ON cm.code = g.client_member JOIN members sm ON sm.code = g.service_member`

// The instance is the store's, not a column: one database serves one instance.
export function toGrant (r: GrantRow, instance: string): Grant {
  const client: ClientId = { instance, memberClass: r.client_class as MemberClass, memberCode: r.client_member, subsystemCode: r.client_subsystem }
  return {
    id: r.id, client, service: { instance, memberClass: r.service_class as MemberClass, memberCode: r.service_member, subsystemCode: r.service_subsystem, serviceCode: r.service_code },
    ...(r.endpoints === null ? {} : { endpoints: JSON.parse(r.endpoints) as Endpoint[] }),
    ...(r.quota_rate === null || r.quota_burst === null ? {} : { quota: { ratePerSecond: r.quota_rate, burst: r.quota_burst } }),
    createdAt: r.created_at,
  }
}

export const SERVICE_KEY = 'member_code = ? AND subsystem_code = ? AND service_code = ?'
export const refArgs = (r: ServiceRef): string[] => [r.memberCode, r.subsystemCode, r.serviceCode]

/** node_id … openapi_url, in table order: shared by INSERT (after the key) and UPDATE so the two cannot drift. */
export const serviceColumns = (s: Service): unknown[] =>
  [s.nodeId, s.upstreamPath, s.timeoutMs, JSON.stringify(s.endpoints), s.carriesPersonalData ? 1 : 0, s.openapiUrl ?? null]

/** endpoints, quota_rate, quota_burst: the part of a grant that can change after it is created. */
export const grantTermColumns = (g: Pick<Grant, 'endpoints' | 'quota'>): unknown[] =>
  [g.endpoints ? JSON.stringify(g.endpoints) : null, g.quota?.ratePerSecond ?? null, g.quota?.burst ?? null]
