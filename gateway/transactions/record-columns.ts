// A batch of transaction records as columns, the form they cross to the log's writer thread in:
// every number in one Float64Array (transferred, not copied) and every string once in a table.
// Structured clone of the record objects themselves cost the event loop about 4.6 µs and the writer
// thread about 5.6 µs per record (most of it rebuilding objects property by property and copying the
// same client, service and node names again for each record); columns cost about 2 µs on the event
// loop, and the thread stores them as they are (sqlite-blocks.ts).
import { outcomes, type TransactionRecord } from '../../contracts/transaction.js'
import { checkRecords, MAX_ID_LENGTH, MAX_TS, RECORD_FIELDS } from './store.js'

export interface RecordColumns {
  readonly count: number
  /** count × FIELD_COUNT values, record by record: numbers as they are, strings as table indexes, null as NULL_VALUE. */
  readonly numbers: Float64Array<ArrayBuffer>
  readonly strings: string[]
}

type FieldType = (typeof RECORD_FIELDS)[keyof TransactionRecord]
const FIELDS = Object.entries(RECORD_FIELDS) as Array<[keyof TransactionRecord, FieldType]>
export const FIELD_COUNT = FIELDS.length
/** Per field (RECORD_FIELDS order): whether its column holds string-table indexes. */
export const IS_STRING_FIELD: readonly boolean[] = FIELDS.map(([, type]) => type === 'string' || type === 'string?' || type === 'outcome')
/** Where a record's fields start in `numbers`: record i at i × FIELD_COUNT. */
export const FIELD_OFFSET = Object.fromEntries(FIELDS.map(([name], index) => [name, index])) as Record<keyof TransactionRecord, number>
/** Stands for null in any column: no record field holds NaN (each number is a safe integer). */
const NULL_VALUE = Number.NaN
const OUTCOMES = new Set<unknown>(outcomes)

/**
 * Encodes records that meet the record contract; for any that does not, throws the same
 * `client.bad_request` as the stores' own check, naming the record and what is wrong with it.
 * The whole contract (sizes, outcomes, id length, time range), not only the types encoding needs:
 * the log's writer stores columns as they arrive.
 */
export function toColumns (records: readonly TransactionRecord[]): RecordColumns {
  if (!Array.isArray(records)) checkRecords(records)
  const numbers = new Float64Array(records.length * FIELD_COUNT)
  const strings: string[] = []
  const indexOf = new Map<string, number>()
  let valid = true
  // Each field read by name, in one function per record: a loop over field names made every read a
  // megamorphic keyed load, and checking first (checkRecords) read every field twice.
  const intern = (value: unknown): number => {
    if (typeof value !== 'string') return invalid()
    let index = indexOf.get(value)
    if (index === undefined) {
      index = strings.push(value) - 1
      indexOf.set(value, index)
    }
    return index
  }
  const internOrNull = (value: unknown): number => value === null ? NULL_VALUE : intern(value)
  // Ids and digests differ from record to record: not worth a lookup.
  const unique = (value: unknown): number => typeof value === 'string' ? strings.push(value) - 1 : invalid()
  const uniqueOrNull = (value: unknown): number => value === null ? NULL_VALUE : unique(value)
  const int = (value: unknown): number => Number.isSafeInteger(value) ? value as number : invalid()
  const intOrNull = (value: unknown): number => value === null ? NULL_VALUE : int(value)
  const size = (value: unknown): number => Number.isSafeInteger(value) && (value as number) >= 0 ? value as number : invalid()
  const invalid = (): number => {
    valid = false
    return NULL_VALUE
  }
  let at = 0
  for (const record of records) {
    if (typeof record !== 'object' || record === null) checkRecords(records)
    const r = record as unknown as Record<keyof TransactionRecord, unknown>
    const id = unique(r.id)
    const n = numbers
    n[at] = id
    // A message id is usually the record's own id.
    n[at + 1] = r.messageId === r.id ? id : unique(r.messageId)
    n[at + 2] = int(r.requestInTs)
    n[at + 3] = intOrNull(r.requestOutTs)
    n[at + 4] = intOrNull(r.responseInTs)
    n[at + 5] = int(r.responseOutTs)
    n[at + 6] = internOrNull(r.clientInstance)
    n[at + 7] = internOrNull(r.clientMemberClass)
    n[at + 8] = internOrNull(r.clientMemberCode)
    n[at + 9] = internOrNull(r.clientSubsystemCode)
    n[at + 10] = internOrNull(r.serviceInstance)
    n[at + 11] = internOrNull(r.serviceMemberClass)
    n[at + 12] = internOrNull(r.serviceMemberCode)
    n[at + 13] = internOrNull(r.serviceSubsystemCode)
    n[at + 14] = internOrNull(r.serviceCode)
    n[at + 15] = internOrNull(r.providerNodeId)
    n[at + 16] = intern(r.restMethod)
    n[at + 17] = internOrNull(r.restPath)
    n[at + 18] = internOrNull(r.userIdHash)
    n[at + 19] = internOrNull(r.issue)
    n[at + 20] = size(r.requestSize)
    n[at + 21] = size(r.responseSize)
    n[at + 22] = int(r.statusCode)
    n[at + 23] = r.succeeded === true ? 1 : r.succeeded === false ? 0 : invalid()
    n[at + 24] = OUTCOMES.has(r.outcome) ? intern(r.outcome) : invalid()
    n[at + 25] = internOrNull(r.faultCode)
    n[at + 26] = intern(r.gatewayId)
    n[at + 27] = uniqueOrNull(r.requestHash)
    n[at + 28] = uniqueOrNull(r.responseHash)
    const idLength = typeof r.id === 'string' ? r.id.length : 0
    const ts = n[at + 2] as number
    if (!valid || idLength === 0 || idLength > MAX_ID_LENGTH || !(ts >= 0 && ts <= MAX_TS)) checkRecords(records)
    at += FIELD_COUNT
  }
  return { count: records.length, numbers, strings }
}

/** The record whose fields start at `at`, built in one literal so that all records share one shape. */
export function recordAt (n: ArrayLike<number>, strings: readonly string[], at: number): TransactionRecord {
  const text = (value: number): string => strings[value] as string
  const textOrNull = (value: number): string | null => Number.isNaN(value) ? null : strings[value] as string
  const numberOrNull = (value: number): number | null => Number.isNaN(value) ? null : value
  // The order of RECORD_FIELDS, which toColumns follows.
  return {
    id: text(n[at] as number),
    messageId: text(n[at + 1] as number),
    requestInTs: n[at + 2] as number,
    requestOutTs: numberOrNull(n[at + 3] as number),
    responseInTs: numberOrNull(n[at + 4] as number),
    responseOutTs: n[at + 5] as number,
    clientInstance: textOrNull(n[at + 6] as number),
    clientMemberClass: textOrNull(n[at + 7] as number),
    clientMemberCode: textOrNull(n[at + 8] as number),
    clientSubsystemCode: textOrNull(n[at + 9] as number),
    serviceInstance: textOrNull(n[at + 10] as number),
    serviceMemberClass: textOrNull(n[at + 11] as number),
    serviceMemberCode: textOrNull(n[at + 12] as number),
    serviceSubsystemCode: textOrNull(n[at + 13] as number),
    serviceCode: textOrNull(n[at + 14] as number),
    providerNodeId: textOrNull(n[at + 15] as number),
    restMethod: text(n[at + 16] as number),
    restPath: textOrNull(n[at + 17] as number),
    userIdHash: textOrNull(n[at + 18] as number),
    issue: textOrNull(n[at + 19] as number),
    requestSize: n[at + 20] as number,
    responseSize: n[at + 21] as number,
    statusCode: n[at + 22] as number,
    succeeded: n[at + 23] === 1,
    outcome: text(n[at + 24] as number) as TransactionRecord['outcome'],
    faultCode: textOrNull(n[at + 25] as number),
    gatewayId: text(n[at + 26] as number),
    requestHash: textOrNull(n[at + 27] as number),
    responseHash: textOrNull(n[at + 28] as number),
  }
}
