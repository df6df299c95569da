// The Redis layout of the transaction log: key names, defaults, and the "tuple" that names a record's
// dimensions once for the order index, the filters and the rollups. All keys share one hash tag.
import type { RedisKeys } from '../../common/redis.js'
import type { Outcome, TransactionRecord } from '../../contracts/transaction.js'
import { DAY_MS, RECORD_FIELDS, type RecordDimensions } from './store.js'

/**
 * - `log`: stream of records, entry id `<seq>-0`, one field `record` (the JSON as appended).
 * - `ids`: hash record id → seq, for idempotency and `get`; trimmed with the log.
 * - `order`: sorted set, score requestInTs, member `<seq, 16 digits>:<tuple id>:<record id>`, so that
 *   equal timestamps sort by arrival and a filter can be checked without reading the record.
 * - `meta`: hash `seq` (last seq; if lost, the log's last id), `pruned:<view>:<level>` (newest
 *   rollup start deleted by retention).
 * - `tuples` / `tuple-ids`: tuple id ↔ tuple text, never deleted (as many as the dimensions'
 *   combinations that occurred); `tuples` also holds the field TUPLE_GENERATION, set with the first
 *   tuple: when Redis loses its data, ids count up again and the generation changes with them.
 * - `rollup:<view>:<level>:<start>`: hash tuple id → `count,succeeded,sumMs,maxMs,compactLength,histogram`.
 * - `starts:<view>:<level>`: sorted set of the rollup starts that exist (stats never guess keys).
 * - `touched:<view>:<level>` (minutes and hours only): last write time (Redis clock) → start, for retention.
 */
/** A field of `tuples` that is no tuple id (ids are digits): when the ids began to be counted. */
export const TUPLE_GENERATION = 'generation'

export class TransactionKeys {
  readonly log: string
  readonly ids: string
  readonly order: string
  readonly meta: string
  readonly tuples: string
  readonly tupleIds: string
  /** What the scripts prepend to `rollup:…`, `starts:…`, `touched:…`. */
  readonly base: string

  constructor (keys: RedisKeys) {
    this.log = keys.transactions('log')
    this.ids = keys.transactions('ids')
    this.order = keys.transactions('order')
    this.meta = keys.transactions('meta')
    this.tuples = keys.transactions('tuples')
    this.tupleIds = keys.transactions('tuple-ids')
    this.base = keys.transactions('')
  }
}

export const DEFAULT_MAX_TRANSACTIONS = 1_000_000
export const DEFAULT_MINUTE_RETENTION_MS = 8 * DAY_MS
export const DEFAULT_HOUR_RETENTION_MS = 400 * DAY_MS
/** Records a filtered page examines at most before it returns what it found and a cursor. */
export const DEFAULT_SCAN_LIMIT = 10_000
/** Rollup rows one stats read returns at most; a larger answer is read in several. */
export const DEFAULT_ROLLUP_ROWS_PER_READ = 20_000

/** The record's fields in schema order: the JSON stored is exactly the record, whatever else the object carries. */
export const RECORD_KEYS = Object.keys(RECORD_FIELDS)

/**
 * A record's dimensions as text: each part JSON-encoded (so no part holds a raw control character),
 * joined by U+001F. Lua splits on the separator and compares parts with JSON-encoded filter values;
 * nothing needs a JSON parser in Redis. View 1 (across clients) has null for client and client member.
 */
export const TUPLE_PART = { client: 1, service: 2, provider: 3, status: 4, outcome: 5, succeeded: 6, clientMember: 7, serviceMember: 8 } as const
const SEPARATOR = '\x1f'

export interface Tuple {
  client: string | null
  service: string
  provider: string
  status: number
  outcome: Outcome
  succeeded: boolean
  clientMember: string | null
  serviceMember: string
}

/** View 0: by client. */
export function tupleByClient (record: TransactionRecord, d: RecordDimensions): string {
  return `${JSON.stringify(d.client)}${SEPARATOR}${middle(record, d)}${JSON.stringify(d.clientMember)}${SEPARATOR}${JSON.stringify(d.serviceMember)}`
}

/** View 1: across clients. */
export function tupleAcrossClients (record: TransactionRecord, d: RecordDimensions): string {
  return `null${SEPARATOR}${middle(record, d)}null${SEPARATOR}${JSON.stringify(d.serviceMember)}`
}

const middle = (r: TransactionRecord, d: RecordDimensions): string =>
  `${JSON.stringify(d.service)}${SEPARATOR}${JSON.stringify(d.provider)}${SEPARATOR}${r.statusCode}${SEPARATOR}${JSON.stringify(r.outcome)}${SEPARATOR}${r.succeeded}${SEPARATOR}`

export function decodeTuple (text: string): Tuple {
  const [client, service, provider, status, outcome, succeeded, clientMember, serviceMember] = text.split(SEPARATOR).map((part) => JSON.parse(part) as unknown)
  return { client, service, provider, status, outcome, succeeded, clientMember, serviceMember } as Tuple
}

/** A filter value as the tuple holds it. */
export const tuplePart = (value: string | number | boolean): string => JSON.stringify(value)
