// A batch of transaction records as columns, the form they cross to the log's writer thread in:
// every number in one Float64Array (transferred, not copied) and every string once in a table.
// Structured clone of the record objects themselves cost the event loop about 4.6 µs and the writer
// thread about 5.6 µs per record (most of it rebuilding objects property by property and copying the
// same client, service and node names again for each record); columns cost about 2 µs on the event
// loop, and the thread stores them as they are (sqlite-blocks.ts).
import type { TransactionRecord } from '../../contracts/transaction.js'
import { checkRecords, RECORD_FIELDS } from './store.js'

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
/** Fields that differ from record to record. */
const UNIQUE = new Set<keyof TransactionRecord>(['id', 'requestHash', 'responseHash'])
/** Stands for null in any column: no record field holds NaN (each number is a safe integer). */
const NULL_VALUE = Number.NaN

/**
 * Encodes records that meet the record contract; for any that does not, throws the same
 * `client.bad_request` as the stores' own check, naming the record and what is wrong with it.
 */
export function toColumns (records: readonly TransactionRecord[]): RecordColumns {
  // The whole contract (sizes, outcomes, id length, time range), not only the types encoding needs:
  // the log's writer trusts what arrives as columns (about 0.1 µs per record).
  checkRecords(records)
  const numbers = new Float64Array(records.length * FIELD_COUNT)
  const strings: string[] = []
  const indexOf = new Map<string, number>()
  const intern = (value: string): number => {
    let index = indexOf.get(value)
    if (index === undefined) {
      index = strings.push(value) - 1
      indexOf.set(value, index)
    }
    return index
  }
  let at = 0
  for (const record of records) {
    const fields = record as unknown as Record<string, unknown>
    for (const [name, type] of FIELDS) {
      numbers[at] = encodeField(fields[name], name, type)
      at++
    }
  }
  return { count: records.length, numbers, strings }

  function encodeField (value: unknown, name: keyof TransactionRecord, type: FieldType): number {
    if (value === null && (type === 'string?' || type === 'int?')) return NULL_VALUE
    if (type === 'string' || type === 'string?' || type === 'outcome') {
      // Ids and digests are unique, and a message id (the field after id) is usually the record's own: none is worth a lookup.
      if (UNIQUE.has(name)) return strings.push(value as string) - 1
      if (name === 'messageId' && value === strings[numbers[at - 1] as number]) return numbers[at - 1] as number
      return intern(value as string)
    }
    if (type === 'boolean') return value === true ? 1 : 0
    return value as number
  }
}

/** The records again, each built in one literal so that they share one shape. */
export function fromColumns ({ count, numbers, strings }: RecordColumns): TransactionRecord[] {
  const records: TransactionRecord[] = new Array(count)
  for (let i = 0; i < count; i++) records[i] = recordAt(numbers, strings, i * FIELD_COUNT)
  return records
}

/** The record whose fields start at `at`. */
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
