// The load client's response framing, fed bytes directly: every split of a response reads the same as
// the whole, several responses in one read are told apart, and malformed framing is refused.
import t from 'tap'
import { MALFORMED, MAX_HEAD_BYTES, NEED_MORE, ResponseParser } from '../../cli/load/raw-http-parser.js'

interface Read { status: number, bodyBytes: number, close: boolean, end: number }

/** Feeds `parts` in order; returns each complete response and where it ended in its part, or the failure. */
function feed (parser: ResponseParser, parts: readonly Buffer[], head = false): Read[] | string {
  const reads: Read[] = []
  parser.expect(head)
  for (const part of parts) {
    let pos = 0
    while (pos < part.length) {
      const end = parser.execute(part, pos, part.length)
      if (end === MALFORMED) return parser.problem
      if (end === NEED_MORE) break
      reads.push({ status: parser.status, bodyBytes: parser.bodyBytes, close: parser.close, end })
      parser.expect(head)
      pos = end
    }
  }
  return reads
}

const body = 'x'.repeat(300)
const lengthResponse = `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nCONTENT-LENGTH: ${body.length}\r\nDate: today\r\n\r\n${body}`
const chunkedResponse = 'HTTP/1.1 201 Created\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n' +
  '5;name=value;other="quoted ; text"\r\nhello\r\n' + 'A \r\n0123456789\r\n' + '0;last\r\nX-Trailer: one\r\nX-Other: two\r\n\r\n'
const interimResponse = 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n'

t.test('a response split at every byte reads the same as in one piece', async (t) => {
  const parser = new ResponseParser()
  for (const [text, status, bodyBytes] of [[lengthResponse, 200, 300], [chunkedResponse, 201, 15], [interimResponse, 204, 0]] as const) {
    const whole = Buffer.from(text)
    t.same(feed(parser, [whole]), [{ status, bodyBytes, close: false, end: whole.length }], `${status} in one piece`)
    let same = 0
    for (let at = 1; at < whole.length; at++) {
      const reads = feed(parser, [whole.subarray(0, at), whole.subarray(at)])
      if (typeof reads !== 'string' && reads.length === 1 && reads[0]?.status === status && reads[0]?.bodyBytes === bodyBytes) same++
      else t.fail(`split at ${at}: ${JSON.stringify(reads)}`)
    }
    t.equal(same, whole.length - 1, `${status}: all ${whole.length - 1} splits`)
    const bytes = [...whole].map((b) => Buffer.from([b]))
    t.same(feed(parser, bytes), [{ status, bodyBytes, close: false, end: 1 }], `${status} one byte per read`)
  }
})

t.test('several responses in one read are told apart', async (t) => {
  const both = Buffer.from(lengthResponse + chunkedResponse + interimResponse)
  const reads = feed(new ResponseParser(), [both])
  t.same(typeof reads === 'string' ? reads : reads.map((r) => [r.status, r.bodyBytes, r.end]), [
    [200, 300, lengthResponse.length],
    [201, 15, lengthResponse.length + chunkedResponse.length],
    [204, 0, both.length],
  ])
})

t.test('HEAD, 204 and 304 answers have no body whatever their headers say', async (t) => {
  const parser = new ResponseParser()
  const head = 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'
  t.same(feed(parser, [Buffer.from(head + head)], true).length, 2, 'two HEAD answers back to back')
  t.same(feed(parser, [Buffer.from('HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n')]), [{ status: 304, bodyBytes: 0, close: false, end: 57 }])
  const zero = 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'
  t.same(feed(parser, [Buffer.from(zero)]), [{ status: 200, bodyBytes: 0, close: false, end: zero.length }], 'content-length: 0')
})

t.test('the framing says when the connection must close', async (t) => {
  const parser = new ResponseParser()
  const read = (text: string): unknown => { const r = feed(parser, [Buffer.from(text)]); return typeof r === 'string' ? r : r[0]?.close }
  t.equal(read('HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\nContent-Length: 0\r\n\r\n'), true, 'connection: close')
  t.equal(read('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'), true, 'HTTP/1.0')
  t.equal(read('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'), false, 'HTTP/1.0 keep-alive')
  // A body without a length ends at the close.
  parser.expect(false)
  const untilClose = Buffer.from('HTTP/1.1 200 OK\r\n\r\nsome bytes')
  t.equal(parser.execute(untilClose, 0, untilClose.length), NEED_MORE)
  t.ok(parser.finish(), 'complete at the close')
  t.equal(parser.bodyBytes, 10)
  t.ok(parser.close)
  parser.expect(false)
  t.notOk(parser.finish(), 'nothing read: the close cuts it off')
})

t.test('malformed responses are refused with a reason', async (t) => {
  const parser = new ResponseParser()
  const cases: Array<[string, RegExp]> = [
    ['SSH-2.0-OpenSSH_9.6\r\n\r\n', /status line/],
    ['HTTP/1.1 2OO OK\r\n\r\n', /status line/],
    ['HTTP/1.1 200 OK\r\nContent-Length 5\r\n\r\n', /colon/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n', /content-length/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n', /conflicting/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /chunk size/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n', /longer than its size/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\n', /too large/],
    ['HTTP/1.1 101 Switching Protocols\r\n\r\n', /101/],
  ]
  for (const [text, reason] of cases) t.match(feed(parser, [Buffer.from(text)]), reason, JSON.stringify(text.slice(0, 40)))
})

t.test('a head over 64 KiB is refused, in one read or accumulated over many', async (t) => {
  const parser = new ResponseParser()
  const huge = Buffer.from(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(MAX_HEAD_BYTES)}\r\n\r\n`)
  t.match(feed(parser, [huge]), /over 64 KiB/)
  const parts = Array.from({ length: Math.ceil(huge.length / 1000) }, (_, i) => huge.subarray(i * 1000, (i + 1) * 1000))
  t.match(feed(parser, parts), /over 64 KiB/)
  const fits = Buffer.from(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(MAX_HEAD_BYTES - 100)}\r\nContent-Length: 0\r\n\r\n`)
  t.same(feed(parser, [fits.subarray(0, 7), fits.subarray(7)]), [{ status: 200, bodyBytes: 0, close: false, end: fits.length - 7 }], 'just under the limit')
})
