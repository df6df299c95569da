// The hub's exchange ids (UUIDv7, RFC 9562) and message digests, checked against independent
// computations: the id's fields read back from its text, the hash from two createHash calls.
import { createHash } from 'node:crypto'
import t from 'tap'
import { bodyHash, EMPTY_BODY_DIGEST, messageHash, uuidv7 } from '../../gateway/exchange/ids.js'

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

t.test('a UUIDv7 holds its millisecond, the version and the variant, and random bits that differ', async (t) => {
  const times = [0, 1, 1_764_480_000_123, 2 ** 48 - 1]
  for (const ms of times) {
    const id = uuidv7(ms)
    t.match(id, UUID_V7, id)
    t.equal(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16), ms, `the first 48 bits are ${ms}`)
  }
  const ids = Array.from({ length: 20_000 }, (_, i) => uuidv7(1_764_480_000_000 + Math.floor(i / 100)))
  t.equal(new Set(ids).size, ids.length, 'no two alike, across several refills of the random pool')
  t.ok(ids.every((id) => UUID_V7.test(id)), 'every one well formed')
  const firstOfEachMs = ids.filter((_, i) => i % 100 === 0)
  t.same([...firstOfEachMs].sort(), firstOfEachMs, 'ids of later milliseconds sort later')
  const held = uuidv7(5)
  uuidv7(6)
  t.equal(held.slice(0, 13), '00000000-0005', 'an id handed out is not changed by the next')
})

t.test('X-Road hashes: SHA-512 of the head\'s and the body\'s digests, and of a whole body', async (t) => {
  const sha512 = (data: string | Buffer): Buffer => createHash('sha512').update(data).digest()
  const head = 'GET VN/GOV/000.00.00.G01/CSDLQGDC/citizens/x\nVN/GOV/000.00.00.H49/DVCTINH\nid-1'
  const body = Buffer.from('{"a":1}')
  const expected = createHash('sha512').update(Buffer.concat([sha512(head), sha512(body)])).digest('base64')
  t.equal(messageHash(head, sha512(body)), expected)
  t.equal(messageHash(head, EMPTY_BODY_DIGEST), createHash('sha512').update(Buffer.concat([sha512(head), sha512('')])).digest('base64'), 'an empty body')
  t.equal(bodyHash(body), sha512(body).toString('base64'))
})
