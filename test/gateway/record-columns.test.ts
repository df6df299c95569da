// Records as columns (how batches cross to the log's writer thread, which stores them as they are): an
// exact round trip for every record the contract accepts, and a refusal for every record it refuses.
import t from 'tap'
import { NdxpError } from '../../contracts/errors.js'
import type { TransactionRecord } from '../../contracts/transaction.js'
import { FIELD_COUNT, FIELD_OFFSET, IS_STRING_FIELD, recordAt, toColumns, type RecordColumns } from '../../gateway/transactions/record-columns.js'
import { RECORD_FIELDS, checkRecords } from '../../gateway/transactions/store.js'
import { makeRecord, prng } from './transaction-store-contract.js'

/** Every record of a batch, decoded the way the log's readers decode them. */
const fromColumns = ({ count, numbers, strings }: RecordColumns): TransactionRecord[] =>
  Array.from({ length: count }, (_, i) => recordAt(numbers, strings, i * FIELD_COUNT))

const refused = (work: () => unknown): NdxpError | undefined => {
  try {
    work()
    return undefined
  } catch (error) {
    if (!(error instanceof NdxpError)) throw error
    return error
  }
}

t.test('every field comes back as it was, nulls and all', async (t) => {
  const full = makeRecord({
    messageId: 'client-chosen-id', requestOutTs: 1, responseInTs: 2, userIdHash: 'u', issue: 'HS-1', requestHash: 'rq',
    responseHash: 'rs', faultCode: 'server.provider_timeout', outcome: 'timeout', succeeded: false, statusCode: 504, requestSize: 9,
  })
  const empty = makeRecord({
    requestOutTs: null, responseInTs: null, clientInstance: null, clientMemberClass: null, clientMemberCode: null,
    clientSubsystemCode: null, serviceInstance: null, serviceMemberClass: null, serviceMemberCode: null, serviceSubsystemCode: null,
    serviceCode: null, providerNodeId: null, restPath: null, userIdHash: null, issue: null, faultCode: null, requestHash: null, responseHash: null,
  })
  // Every field distinct from every other, so that a column read from the wrong place shows.
  const distinct = Object.fromEntries(Object.entries(RECORD_FIELDS).map(([field, type], i) => [field,
    type === 'boolean' ? true : type === 'outcome' ? 'abandoned' : type.startsWith('string') ? `${field}-${i}` : 1000 + i])) as unknown as TransactionRecord
  const records = [full, empty, distinct]
  const columns = toColumns(records)
  t.equal(columns.numbers.length, records.length * FIELD_COUNT)
  t.strictSame(fromColumns(columns), records)
  t.strictSame(fromColumns(toColumns([])), [])
})

t.test('a name repeated across a batch is carried once', async (t) => {
  const records = Array.from({ length: 1000 }, () => makeRecord({ userIdHash: null, issue: null, requestHash: null, responseHash: null }))
  const columns = toColumns(records)
  // One id per record (message ids are the records' own); client, service, node, path, outcome... once each.
  t.ok(columns.strings.length < 1000 + 20, `${columns.strings.length} strings for 1000 records`)
  t.strictSame(fromColumns(columns), records)
})

t.test('toColumns refuses exactly the records the contract refuses', async (t) => {
  const base = makeRecord()
  const fields = Object.keys(RECORD_FIELDS)
  const values: unknown[] = ['', 'text', 0, 7, -1, 1.5, Number.NaN, Infinity, 2 ** 60, null, undefined, true, false, {}, [], () => 1, Symbol('s'), 10n, 'success', 'nope']
  const random = prng(11)
  let accepted = 0
  for (let i = 0; i < 3000; i++) {
    const record: Record<string, unknown> = { ...base }
    for (const field of fields) if (random() < 0.08) record[field] = values[Math.floor(random() * values.length)]
    if (random() < 0.1) delete record[fields[Math.floor(random() * fields.length)] as string]
    const batch = [makeRecord(), record as unknown as TransactionRecord]
    const expected = refused(() => checkRecords(batch))
    const encoding = refused(() => toColumns(batch))
    if (expected === undefined) {
      accepted++
      if (encoding !== undefined) t.fail(`refused a valid record: ${encoding.message}`)
      else t.strictSame(fromColumns(toColumns(batch))[1], Object.fromEntries(fields.map((f) => [f, record[f]])), 'round trip', { skip: false })
      continue
    }
    if (encoding === undefined) t.fail(`accepted ${String(Object.entries(record))}`)
    else if (encoding.code !== 'client.bad_request' || !/index 1/.test(encoding.message)) t.fail(`${encoding.code}: ${encoding.message}`)
  }
  t.ok(accepted > 100, `${accepted} valid records among the random ones`)
  for (const records of [null, 'records', { length: 1 }, [null], ['record']]) {
    t.equal(refused(() => toColumns(records as never))?.code, 'client.bad_request', `${JSON.stringify(records)} is refused`)
  }
})

t.test('each field sits at the offset RECORD_FIELDS gives it, which the log\'s writer and readers use', async (t) => {
  const record = makeRecord({ requestInTs: 1_000, requestOutTs: 1_001, responseInTs: 1_002, responseOutTs: 1_003, requestSize: 1_004, responseSize: 1_005, statusCode: 1_006, succeeded: true })
  const columns = toColumns([record])
  for (const [name, offset] of Object.entries(FIELD_OFFSET) as Array<[keyof TransactionRecord, number]>) {
    const value = columns.numbers[offset] as number
    const decoded = IS_STRING_FIELD[offset] === true ? (Number.isNaN(value) ? null : columns.strings[value]) : name === 'succeeded' ? value === 1 : value
    t.equal(decoded, record[name], name)
  }
  t.equal(Object.keys(FIELD_OFFSET).length, FIELD_COUNT)
})
