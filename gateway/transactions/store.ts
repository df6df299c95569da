// The transaction log's persistence contract: one domain-shaped interface every backend implements,
// plus the argument checks they share so that every backend refuses the same things the same way.
import { z } from 'zod'
import { NdxpError } from '../../contracts/errors.js'
import {
  outcomes, statsDimensions, statsQuerySchema, transactionQuerySchema, transactionRecordSchema,
  type StatsQuery, type StatsResult, type TransactionPage, type TransactionQuery, type TransactionRecord,
} from '../../contracts/transaction.js'
import { parseInput } from '../../registry/store.js'

/**
 * Every method rejects with an NdxpError: `client.bad_request` for a malformed argument (a record
 * that breaks the contract, a filter too long, a limit over 1000, a cursor this store did not issue,
 * from after to), `server.store_unavailable` once closed or when the store cannot be reached.
 *
 * - `append` is atomic (records and rollups in one transaction) and idempotent by record id: a record
 *   whose id is already stored is skipped, so replaying a spool never counts anything twice. With
 *   `maxTransactions` set, ids are remembered as long as their records are kept.
 * - `query` answers newest first (requestInTs, then arrival order); `from` is inclusive and `to`
 *   exclusive. `client` is a subsystem id `VN/GOV/<member>/<subsystem>`, `service` a service id
 *   `VN/GOV/<member>/<subsystem>/<service>`, `member` a member code on either side. A page's
 *   `nextCursor` continues exactly after its last item, whatever arrives in between.
 * - `stats` reads only rollups (per minute, hour and day), never the records: its cost depends on the
 *   range and the grouping, not on how many transactions are stored. The range covers every minute that overlaps
 *   [from, to): from is rounded down and to up to the minute, and the result says so. Days are UTC.
 *   A dimension whose value was never known (a request refused before its client was identified)
 *   groups under the empty string.
 * - `count` is the number of records stored (after retention), not the number ever appended.
 */
export interface TransactionStore {
  append (records: readonly TransactionRecord[]): Promise<void>
  get (id: string): Promise<TransactionRecord | undefined>
  query (query: TransactionQuery): Promise<TransactionPage>
  stats (query: StatsQuery): Promise<StatsResult>
  count (): Promise<number>
  /** Idempotent; afterwards every method rejects with `server.store_unavailable`. */
  close (): Promise<void>
}

export interface TransactionStoreOptions {
  /** Keep at most this many records, deleting the oldest (by requestInTs) in batches; rollups keep counting. */
  maxTransactions?: number
  /** Where `stats` takes "now" when the query has no `to`. */
  clock?: () => number
}

export const MINUTE_MS = 60_000
export const HOUR_MS = 60 * MINUTE_MS
export const DAY_MS = 24 * HOUR_MS
/** A minute-by-minute answer over more than this is hundreds of thousands of rows nobody can read. */
export const MAX_MINUTE_RANGE_MS = 400 * DAY_MS
/** A stats answer larger than this is refused with advice, so that one query cannot exhaust memory. */
export const MAX_STATS_ROWS = 200_000

// The wire schemas parse strings; the store takes their output, so it checks the output's shape.
const storeQuerySchema = transactionQuerySchema.extend({ succeeded: z.boolean().optional() })
const storeStatsSchema = statsQuerySchema.extend({
  groupBy: z.array(z.enum(statsDimensions)).max(statsDimensions.length * 2).default([]),
})

export function parseTransactionQuery (query: TransactionQuery): TransactionQuery {
  const parsed = parseInput(storeQuerySchema, query, 'transaction query')
  if (parsed.from !== undefined && parsed.to !== undefined && parsed.from > parsed.to) {
    throw new NdxpError('client.bad_request', `from (${readable(parsed.from)}) is after to (${readable(parsed.to)}); swap them.`)
  }
  return parsed
}

export interface ResolvedStatsQuery extends Omit<StatsQuery, 'from' | 'to'> {
  /** Minute-aligned, inclusive. */
  from: number
  /** Minute-aligned, exclusive. */
  to: number
}

/** Defaults (to = now, from = to − 1 h), checks, and aligns the range to whole minutes. */
export function resolveStatsQuery (query: StatsQuery, now: number): ResolvedStatsQuery {
  const parsed = parseInput(storeStatsSchema, query, 'stats query')
  const to = parsed.to ?? now
  const from = parsed.from ?? to - HOUR_MS
  if (from > to) {
    throw new NdxpError('client.bad_request', `from (${readable(from)}) is after to (${readable(to)}); swap them.`)
  }
  if (parsed.interval === 'minute' && to - from > MAX_MINUTE_RANGE_MS) {
    throw new NdxpError('client.bad_request', `A range over ${MAX_MINUTE_RANGE_MS / DAY_MS} days cannot be answered minute by minute; use interval=hour, day or total, or a shorter range.`)
  }
  const alignedFrom = Math.floor(from / MINUTE_MS) * MINUTE_MS
  const alignedTo = from === to ? alignedFrom : Math.ceil(to / MINUTE_MS) * MINUTE_MS
  return { ...parsed, groupBy: [...new Set(parsed.groupBy)], from: alignedFrom, to: alignedTo }
}

/** ISO 8601 when the number is a date JavaScript can show, else the number itself. */
const readable = (ms: number): string => Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms)

export function tooManyStatsRows (): NdxpError {
  return new NdxpError('client.bad_request', `The answer would exceed ${MAX_STATS_ROWS} rows; use a coarser interval, a shorter range, fewer groupBy dimensions, or a client/service/member filter.`)
}

export const storeClosed = (): NdxpError => new NdxpError('server.store_unavailable', 'The transaction store has been closed.')

/** Every record must meet the contract: a malformed one would poison rollups that cannot be undone. */
export function checkRecords (records: readonly TransactionRecord[]): void {
  if (!Array.isArray(records)) parseInput(z.array(z.unknown()), records, 'records')
  for (const [index, record] of records.entries()) {
    if (fitsRecord(record)) continue
    // The slow path names what is wrong; the fast one above only says whether anything is.
    const result = transactionRecordCheck.safeParse(record)
    const problems = result.success ? ['id or requestInTs out of range'] : result.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`)
    const id = typeof (record as { id?: unknown } | null)?.id === 'string' ? ` ${JSON.stringify((record as { id: string }).id.slice(0, 64))}` : ''
    throw new NdxpError('client.bad_request', `Invalid transaction record${id} at index ${index}: ${problems.join('; ')}`)
  }
}

// Ids and timestamps are keys: bound them so that no record can make a key unusable.
export const MAX_TS = 8_640_000_000_000_000
export const MAX_ID_LENGTH = 100
const transactionRecordCheck = transactionRecordSchema.extend({
  id: z.string().min(1).max(MAX_ID_LENGTH),
  requestInTs: z.number().int().min(0).max(MAX_TS),
})

type FieldType = 'string' | 'string?' | 'int' | 'int?' | 'size' | 'boolean' | 'outcome'
/** The record schema as a table (a test holds it to the schema): checking it costs ~0.1 µs, zod ~9 µs. */
export const RECORD_FIELDS: Record<keyof TransactionRecord, FieldType> = {
  id: 'string', messageId: 'string', requestInTs: 'int', requestOutTs: 'int?', responseInTs: 'int?', responseOutTs: 'int',
  clientInstance: 'string?', clientMemberClass: 'string?', clientMemberCode: 'string?', clientSubsystemCode: 'string?',
  serviceInstance: 'string?', serviceMemberClass: 'string?', serviceMemberCode: 'string?', serviceSubsystemCode: 'string?',
  serviceCode: 'string?', providerNodeId: 'string?', restMethod: 'string', restPath: 'string?', userIdHash: 'string?',
  issue: 'string?', requestSize: 'size', responseSize: 'size', statusCode: 'int', succeeded: 'boolean', outcome: 'outcome',
  faultCode: 'string?', gatewayId: 'string', requestHash: 'string?', responseHash: 'string?',
}
const FIELDS = Object.entries(RECORD_FIELDS) as Array<[keyof TransactionRecord, FieldType]>
const OUTCOMES = new Set<unknown>(outcomes)

function fitsRecord (record: unknown): boolean {
  if (typeof record !== 'object' || record === null) return false
  const r = record as Record<string, unknown>
  for (const [field, type] of FIELDS) {
    const v = r[field]
    const ok = type === 'string' ? typeof v === 'string'
      : type === 'string?' ? v === null || typeof v === 'string'
        : type === 'int' ? Number.isSafeInteger(v)
          : type === 'int?' ? v === null || Number.isSafeInteger(v)
            : type === 'size' ? Number.isSafeInteger(v) && (v as number) >= 0
              : type === 'boolean' ? typeof v === 'boolean'
                : OUTCOMES.has(v)
    if (!ok) return false
  }
  const { id, requestInTs } = r as { id: string, requestInTs: number }
  return id.length > 0 && id.length <= MAX_ID_LENGTH && requestInTs >= 0 && requestInTs <= MAX_TS
}

/** The identifier a dimension groups under: the parts known, in order, up to the first unknown one. */
export function joinKnown (parts: ReadonlyArray<string | null>): string {
  const known: string[] = []
  for (const part of parts) {
    if (part === null) break
    known.push(part)
  }
  return known.join('/')
}

export interface RecordDimensions {
  client: string
  service: string
  clientMember: string
  serviceMember: string
  provider: string
}

/**
 * The member of [instance, class, code]: it counts only when the identifier names it, so that it
 * follows from the identifier (a rollup key).
 */
export function memberOf (parts: ReadonlyArray<string | null>): string {
  return parts[0] !== null && parts[1] !== null ? parts[2] ?? '' : ''
}

export function dimensionsOf (r: TransactionRecord): RecordDimensions {
  const client = joinKnown([r.clientInstance, r.clientMemberClass, r.clientMemberCode, r.clientSubsystemCode])
  const service = joinKnown([r.serviceInstance, r.serviceMemberClass, r.serviceMemberCode, r.serviceSubsystemCode, r.serviceCode])
  return {
    client,
    service,
    clientMember: memberOf([r.clientInstance, r.clientMemberClass, r.clientMemberCode]),
    serviceMember: memberOf([r.serviceInstance, r.serviceMemberClass, r.serviceMemberCode]),
    provider: r.providerNodeId ?? '',
  }
}
