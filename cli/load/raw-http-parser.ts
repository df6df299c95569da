// Incremental HTTP/1.1 response framing for the load engine: where each response ends and its status,
// reading only the framing headers and counting body bytes without keeping them.
import { ChunkedBody, MALFORMED, MAX_HEAD_BYTES, NEED_MORE } from './raw-http-chunked.js'

export { MALFORMED, MAX_HEAD_BYTES, NEED_MORE } from './raw-http-chunked.js'

const HEAD = 0
const BODY_LENGTH = 1
const BODY_UNTIL_CLOSE = 2
const BODY_CHUNKED = 3

const CR = 13
const LF = 10
const SP = 32
const HTAB = 9
const CRLFCRLF = Buffer.from('\r\n\r\n')
const CONTENT_LENGTH = Buffer.from('content-length')
const TRANSFER_ENCODING = Buffer.from('transfer-encoding')
const CONNECTION = Buffer.from('connection')
const CHUNKED = Buffer.from('chunked')
const CLOSE = Buffer.from('close')
const KEEP_ALIVE = Buffer.from('keep-alive')

function lowerByte (b: number): number {
  return b >= 65 && b <= 90 ? b + 32 : b
}

/** Whether buf[start, end) equals `lower` ignoring ASCII case. */
function sameName (buf: Buffer, start: number, end: number, lower: Buffer): boolean {
  if (end - start !== lower.length) return false
  for (let i = 0; i < lower.length; i++) if (lowerByte(buf[start + i] as number) !== lower[i]) return false
  return true
}

/** Whether the comma-separated list in buf[start, end) holds `token` (ASCII case ignored); `last` asks for the final element only. */
function hasToken (buf: Buffer, start: number, end: number, token: Buffer, last: boolean): boolean {
  let found = false
  let i = start
  while (i < end) {
    // A loop, not indexOf: that would search on past `end`, through the rest of the read buffer.
    let comma = i
    while (comma < end && buf[comma] !== 44) comma++
    let a = i
    let b = comma
    while (a < b && (buf[a] === SP || buf[a] === HTAB)) a++
    while (b > a && (buf[b - 1] === SP || buf[b - 1] === HTAB)) b--
    if (b > a) found = sameName(buf, a, b, token)
    if (found && !last) return true
    i = comma + 1
  }
  return found
}

/** Index of the first CRLFCRLF wholly inside buf[from, end), or -1. Bytes after `end` may be stale. */
function headEnd (buf: Buffer, from: number, end: number): number {
  const at = buf.indexOf(CRLFCRLF, from)
  return at >= 0 && at + 4 <= end ? at : -1
}

/**
 * One connection's response reader. Before each request, `expect` says whether it is a HEAD; then
 * `execute` takes the socket's bytes as they come and returns where the response ended. Only an
 * unfinished head is copied (into `#pending`); bodies are counted in place, so a response of any size
 * costs no memory.
 */
export class ResponseParser {
  status = 0
  /** The connection must close after this response (`connection: close`, HTTP/1.0, or a body ended by closing). */
  close = false
  bodyBytes = 0
  problem = ''
  #head = false
  #state = HEAD
  #remaining = 0
  readonly #chunked = new ChunkedBody()
  #pending: Buffer | null = null
  #pendingLength = 0

  /** Resets for the next response; a HEAD request's response has no body whatever its headers say. */
  expect (head: boolean): void {
    this.#head = head
    this.#state = HEAD
    this.status = 0
    this.close = false
    this.bodyBytes = 0
    this.#pendingLength = 0
  }

  /** At end of input: true when that ends the response in progress (a body delimited by the close). */
  finish (): boolean {
    return this.#state === BODY_UNTIL_CLOSE
  }

  /**
   * Reads buf[pos, end). Returns the offset just past a complete response (the parser is then ready
   * for the next `expect`), NEED_MORE when all was consumed without completing one, or MALFORMED.
   */
  execute (buf: Buffer, pos: number, end: number): number {
    while (pos < end) {
      switch (this.#state) {
        case HEAD:
          pos = this.#readHead(buf, pos, end)
          if (pos < 0) return pos
          // Still reading heads: a body-less response is complete (status set), an interim 1xx is not.
          if (this.#state === HEAD && this.status !== 0) return pos
          break
        case BODY_LENGTH: {
          const n = Math.min(this.#remaining, end - pos)
          this.#remaining -= n
          this.bodyBytes += n
          pos += n
          if (this.#remaining === 0) return this.#done(pos)
          break
        }
        case BODY_UNTIL_CLOSE:
          this.bodyBytes += end - pos
          return NEED_MORE
        case BODY_CHUNKED: {
          const after = this.#chunked.read(buf, pos, end)
          this.bodyBytes = this.#chunked.dataBytes
          if (after === MALFORMED) return this.#fail(this.#chunked.problem)
          return after === NEED_MORE ? NEED_MORE : this.#done(after)
        }
      }
    }
    return NEED_MORE
  }

  #done (pos: number): number {
    this.#state = HEAD
    return pos
  }

  /** Reads one head: returns the offset after it, NEED_MORE or MALFORMED. */
  #readHead (buf: Buffer, pos: number, end: number): number {
    if (this.#pendingLength === 0) {
      const after = this.#parseHead(buf, pos, end)
      if (after === NEED_MORE) {
        if (end - pos > MAX_HEAD_BYTES) return this.#fail('response head over 64 KiB')
        this.#append(buf, pos, end)
      }
      return after
    }
    // The head began in an earlier read: append to it, and parse it again only once the new bytes hold
    // its end, so that a head arriving a byte at a time costs linear time.
    const before = this.#pendingLength
    this.#append(buf, pos, pos + Math.min(end - pos, MAX_HEAD_BYTES + 4 - before))
    const pending = this.#pending as Buffer
    if (headEnd(pending, Math.max(0, before - 3), this.#pendingLength) < 0) {
      return this.#pendingLength > MAX_HEAD_BYTES ? this.#fail('response head over 64 KiB') : NEED_MORE
    }
    const after = this.#parseHead(pending, 0, this.#pendingLength)
    this.#pendingLength = 0
    if (after < 0) return after === MALFORMED ? after : this.#fail('malformed response head')
    return pos + (after - before)
  }

  /**
   * Parses the head starting at buf[start], in one pass over its bytes: the status line, then the three
   * headers that frame a response; other lines are skipped on their first letter (a malformed one among
   * them goes unnoticed: it changes nothing this client needs). Returns the offset after the head's
   * final CRLF, NEED_MORE when it does not end before `end`, or MALFORMED.
   */
  #parseHead (buf: Buffer, start: number, end: number): number {
    let lf = start
    while (lf < end && buf[lf] !== LF) lf++
    if (lf >= end) return NEED_MORE
    // "HTTP/1.x NNN", then a space (and a reason) or the line's end.
    if (lf - start < 13 || buf[start] !== 72 || buf[start + 1] !== 84 || buf[start + 2] !== 84 || buf[start + 3] !== 80 ||
      buf[start + 4] !== 47 || buf[start + 5] !== 49 || buf[start + 6] !== 46 || buf[start + 8] !== SP || buf[lf - 1] !== CR) {
      return this.#fail('not an HTTP/1.x status line')
    }
    const minor = (buf[start + 7] as number) - 48
    const s1 = (buf[start + 9] as number) - 48
    const s2 = (buf[start + 10] as number) - 48
    const s3 = (buf[start + 11] as number) - 48
    const afterStatus = buf[start + 12]
    if (minor < 0 || minor > 9 || s1 < 1 || s1 > 5 || s2 < 0 || s2 > 9 || s3 < 0 || s3 > 9 || (afterStatus !== SP && afterStatus !== CR)) {
      return this.#fail('malformed status line')
    }
    let length = -1
    let chunked = false
    let otherCoding = false
    let close = minor === 0
    let line = lf + 1
    for (;;) {
      if (line >= end) return NEED_MORE
      const first = buf[line] as number
      if (first === CR) {
        if (line + 1 >= end) return NEED_MORE
        if (buf[line + 1] !== LF) return this.#fail('malformed end of head')
        line += 2
        break
      }
      // Only content-length, connection and transfer-encoding frame a response: c… and t… lines are read.
      const framing = first === 99 || first === 67 || first === 116 || first === 84
      let colon = -1
      let i = line
      if (framing) {
        while (i < end && buf[i] !== LF) {
          if (colon < 0 && buf[i] === 58) colon = i
          i++
        }
      } else {
        while (i < end && buf[i] !== LF) i++
      }
      if (i >= end) return NEED_MORE
      if (buf[i - 1] !== CR) return this.#fail('header line not ended by CRLF')
      if (i - start > MAX_HEAD_BYTES) return this.#fail('response head over 64 KiB')
      if (framing) {
        if (colon < 0) return this.#fail('header line without a colon')
        let v = colon + 1
        let w = i - 1
        while (v < w && (buf[v] === SP || buf[v] === HTAB)) v++
        while (w > v && (buf[w - 1] === SP || buf[w - 1] === HTAB)) w--
        if (sameName(buf, line, colon, CONTENT_LENGTH)) {
          if (w === v || w - v > 15) return this.#fail('malformed content-length')
          let value = 0
          for (let d = v; d < w; d++) {
            const digit = (buf[d] as number) - 48
            if (digit < 0 || digit > 9) return this.#fail('malformed content-length')
            value = value * 10 + digit
          }
          if (length >= 0 && length !== value) return this.#fail('conflicting content-length headers')
          length = value
        } else if (sameName(buf, line, colon, TRANSFER_ENCODING)) {
          if (hasToken(buf, v, w, CHUNKED, true)) chunked = true
          else otherCoding = true
        } else if (sameName(buf, line, colon, CONNECTION)) {
          if (hasToken(buf, v, w, CLOSE, false)) close = true
          else if (minor === 0 && hasToken(buf, v, w, KEEP_ALIVE, false)) close = false
        }
      }
      line = i + 1
    }
    const status = s1 * 100 + s2 * 10 + s3
    if (status < 200) {
      // 1xx answers are interim; the real one follows. 101 would switch protocols, which no load request asks for.
      if (status === 101) return this.#fail('unexpected 101 Switching Protocols')
      this.status = 0
      return line
    }
    this.status = status
    this.close = close
    if (this.#head || status === 204 || status === 304) return line
    if (chunked || otherCoding) {
      // With a transfer coding, content-length is ignored (RFC 9112 §6.3); a coding other than chunked
      // last can only end at the close.
      if (chunked && !otherCoding) {
        this.#state = BODY_CHUNKED
        this.#chunked.reset()
      } else {
        this.#state = BODY_UNTIL_CLOSE
        this.close = true
      }
    } else if (length > 0) {
      this.#state = BODY_LENGTH
      this.#remaining = length
    } else if (length < 0) {
      this.#state = BODY_UNTIL_CLOSE
      this.close = true
    }
    return line
  }

  #append (buf: Buffer, from: number, to: number): void {
    const need = this.#pendingLength + (to - from)
    if (this.#pending === null || this.#pending.length < need) {
      const grown = Buffer.allocUnsafe(Math.max(need, Math.min(MAX_HEAD_BYTES + 4, (this.#pending?.length ?? 512) * 2)))
      if (this.#pending !== null) this.#pending.copy(grown, 0, 0, this.#pendingLength)
      this.#pending = grown
    }
    buf.copy(this.#pending, this.#pendingLength, from, to)
    this.#pendingLength = need
  }

  #fail (problem: string): number {
    this.problem = problem
    this.#pendingLength = 0
    return MALFORMED
  }
}
